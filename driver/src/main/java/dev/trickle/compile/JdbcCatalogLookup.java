package dev.trickle.compile;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.Relation;
import dev.trickle.rewriter.parse.RelationColumn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers the compiler's catalog questions from the live PostgreSQL catalog over JDBC, resolving
 * unqualified names through the connection's search path exactly as the server would. One
 * instance serves one compilation and caches what it read.
 */
public final class JdbcCatalogLookup implements CatalogLookup {
  private final Connection connection;
  private final Map<String, Optional<Relation>> relations = new HashMap<>();
  private final Map<String, Boolean> aggregates = new HashMap<>();
  private final Map<String, Boolean> volatiles = new HashMap<>();

  public JdbcCatalogLookup(Connection connection) {
    this.connection = connection;
  }

  @Override
  public Optional<Relation> resolve(String schema, String name) {
    return relations.computeIfAbsent(schema + "\u0000" + name, k -> read(schema, name));
  }

  @Override
  public boolean isAggregate(String functionName) {
    return aggregates.computeIfAbsent(
        functionName,
        f -> queryBoolean("SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = ? AND prokind = 'a')", f));
  }

  @Override
  public boolean isVolatile(String functionName) {
    return volatiles.computeIfAbsent(
        functionName,
        f ->
            queryBoolean(
                "SELECT COALESCE(bool_and(provolatile = 'v'), false) FROM pg_proc WHERE proname = ?"
                    + " AND prokind = 'f'",
                f));
  }

  private boolean queryBoolean(String sql, String argument) {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, argument);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw new CatalogReadException(e);
    }
  }

  private Optional<Relation> read(String schema, String name) {
    String sql =
        "SELECT c.oid, n.nspname, c.relname, c.relkind,"
            + " CASE WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END AS view_definition,"
            + " to_regclass('pgtrickle.pgt_stream_tables') IS NOT NULL AS catalog_installed"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.oid = to_regclass(CASE WHEN ?::text IS NULL THEN quote_ident(?)"
            + " ELSE quote_ident(?) || '.' || quote_ident(?) END)";
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, schema);
      ps.setString(2, name);
      ps.setString(3, schema);
      ps.setString(4, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        long oid = rs.getLong("oid");
        String relSchema = rs.getString("nspname");
        String relName = rs.getString("relname");
        String relkind = rs.getString("relkind");
        String viewDefinition = rs.getString("view_definition");
        boolean catalogInstalled = rs.getBoolean("catalog_installed");
        Relation.Kind kind =
            switch (relkind) {
              case "r", "p" -> catalogInstalled && isStreamTable(oid)
                  ? Relation.Kind.STREAM_TABLE
                  : Relation.Kind.TABLE;
              case "v" -> Relation.Kind.VIEW;
              default -> Relation.Kind.OTHER;
            };
        return Optional.of(
            new Relation(oid, relSchema, relName, kind, columns(oid), primaryKey(oid), viewDefinition));
      }
    } catch (SQLException e) {
      throw new CatalogReadException(e);
    }
  }

  private boolean isStreamTable(long oid) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT EXISTS (SELECT 1 FROM pgtrickle.pgt_stream_tables WHERE pgt_relid = ?::oid)")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private List<RelationColumn> columns(long oid) throws SQLException {
    List<RelationColumn> columns = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull FROM pg_attribute"
                + " WHERE attrelid = ?::oid AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(
              new RelationColumn(
                  rs.getString("attname"), rs.getString("type"), rs.getBoolean("attnotnull")));
        }
      }
    }
    return columns;
  }

  private List<String> primaryKey(long oid) throws SQLException {
    List<String> key = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT a.attname FROM pg_index i JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                + " WHERE i.indrelid = ?::oid AND i.indisprimary ORDER BY k.ord")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          key.add(rs.getString(1));
        }
      }
    }
    return key;
  }

  /** A catalog read failed; carries the SQLException through the compiler's pure-Java interface. */
  public static final class CatalogReadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CatalogReadException(SQLException cause) {
      super(cause);
    }

    @Override
    public synchronized SQLException getCause() {
      return (SQLException) super.getCause();
    }
  }
}
