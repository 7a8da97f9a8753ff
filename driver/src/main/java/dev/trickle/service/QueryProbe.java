package dev.trickle.service;

import dev.trickle.catalog.Column;
import dev.trickle.catalog.Dependency;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.ServerErrors;
import dev.trickle.catalog.SourceKind;
import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Asks PostgreSQL what a defining query is, by creating the temporary view {@code
 * pg_temp."__pgt_probe"} for it: creating it validates the query (unknown relations 42P01, syntax
 * 42601, non-queries refused), its columns are the query's output columns with their types, and
 * {@code pg_depend} lists the relations and columns it reads. Views are expanded recursively to
 * the relations they read. The storage table is created {@code LIKE} the probe while it exists.
 */
final class QueryProbe implements AutoCloseable {
  /** The probe view, schema-qualified. */
  static final String VIEW = "pg_temp." + Sql.identifier("__pgt_probe");

  private static final String RESERVED_PREFIX = "__pgt_";

  private final Connection c;
  private final long viewOid;
  private final String streamTable;

  private QueryProbe(Connection c, long viewOid, String streamTable) {
    this.c = c;
    this.viewOid = viewOid;
    this.streamTable = streamTable;
  }

  /**
   * Creates the probe view for {@code query}, with the connection's current {@code search_path}.
   * PostgreSQL's refusal is reported with its SQLState, prefixed with the stream table's name.
   */
  static QueryProbe open(Connection c, QueryText query, String streamTable) throws SQLException {
    String create = "CREATE TEMP VIEW " + Sql.identifier("__pgt_probe") + " AS ";
    try (Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      st.execute("DROP VIEW IF EXISTS " + VIEW);
      st.execute(create + query.text());
    } catch (SQLException e) {
      int position = ServerErrors.position(e) - create.length();
      throw new SQLException(
          "invalid defining query for stream table "
              + streamTable
              + ": "
              + ServerErrors.message(e)
              + (position > 0 ? " (at position " + position + " of the query)" : ""),
          e.getSQLState(),
          e);
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT '" + VIEW + "'::regclass::oid")) {
      rs.next();
      return new QueryProbe(c, rs.getLong(1), streamTable);
    }
  }

  /** The query's output columns; refuses (22023) names with Trickle's reserved prefix. */
  List<Column> columns() throws SQLException {
    List<Column> columns = probeRelation().columns(c);
    for (Column column : columns) {
      if (column.name().startsWith(RESERVED_PREFIX)) {
        throw SqlState.INVALID_PARAMETER.exception(
            "output column "
                + Sql.display(column.name())
                + " of stream table "
                + streamTable
                + " uses the prefix "
                + RESERVED_PREFIX
                + ", which Trickle reserves; rename it with AS");
      }
    }
    return columns;
  }

  /**
   * Every relation the query reads, views expanded to what they read, each classified. Refuses
   * (0A000) temporary relations: the stream table outlives the session.
   */
  List<Dependency> sources() throws SQLException {
    Map<Long, TreeMap<Integer, Column>> used = new LinkedHashMap<>();
    Deque<Long> views = new ArrayDeque<>();
    views.add(viewOid);
    List<Long> expanded = new ArrayList<>();
    while (!views.isEmpty()) {
      long view = views.poll();
      if (expanded.contains(view)) {
        continue;
      }
      expanded.add(view);
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT d.refobjid, c.relkind, d.refobjsubid, a.attname,"
                  + " format_type(a.atttypid, a.atttypmod) AS type"
                  + " FROM pg_rewrite r"
                  + " JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid"
                  + " JOIN pg_class c ON c.oid = d.refobjid"
                  + " LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid"
                  + " AND a.attnum = d.refobjsubid AND d.refobjsubid > 0"
                  + " WHERE r.ev_class = ?::oid AND d.refclassid = 'pg_class'::regclass"
                  + " AND d.refobjid <> r.ev_class AND c.relkind IN ('r', 'p', 'v', 'm', 'f')")) {
        ps.setLong(1, view);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long relid = rs.getLong("refobjid");
            TreeMap<Integer, Column> columns = used.computeIfAbsent(relid, k -> new TreeMap<>());
            if (rs.getString("attname") != null) {
              columns.put(
                  rs.getInt("refobjsubid"),
                  new Column(rs.getString("attname"), rs.getString("type")));
            }
            if (rs.getString("relkind").equals("v")) {
              views.add(relid);
            }
          }
        }
      }
    }
    List<Dependency> sources = new ArrayList<>();
    for (Map.Entry<Long, TreeMap<Integer, Column>> entry : used.entrySet()) {
      Relation relation = Relation.find(c, entry.getKey()).orElseThrow();
      if (relation.temporary()) {
        throw SqlState.UNSUPPORTED.exception(
            "stream table "
                + streamTable
                + " cannot read the temporary "
                + relation.kindName()
                + " "
                + relation.displayName()
                + ": it would outlive the session; use a permanent one");
      }
      sources.add(
          new Dependency(
              relation.relid(),
              relation.schema(),
              relation.name(),
              kindOf(relation),
              entry.getValue().values().stream().map(Column::name).toList(),
              entry.getValue().values().stream().map(Column::type).toList()));
    }
    return sources;
  }

  /** Drops the probe view. */
  @Override
  public void close() throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("DROP VIEW IF EXISTS " + VIEW);
    }
  }

  private Relation probeRelation() throws SQLException {
    return Relation.find(c, viewOid).orElseThrow();
  }

  private SourceKind kindOf(Relation relation) throws SQLException {
    return switch (relation.kind()) {
      case 'v' -> SourceKind.VIEW;
      case 'm' -> SourceKind.MATERIALIZED_VIEW;
      case 'f' -> SourceKind.FOREIGN_TABLE;
      case 'p' -> relation.partition() ? SourceKind.PARTITION : SourceKind.PARTITIONED;
      default -> {
        if (relation.partition()) {
          yield SourceKind.PARTITION;
        }
        yield StreamTableCatalog.findByRelid(c, relation.relid()).isPresent()
            ? SourceKind.STREAM_TABLE
            : SourceKind.TABLE;
      }
    };
  }
}
