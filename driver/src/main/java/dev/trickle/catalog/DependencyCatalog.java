package dev.trickle.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes rows of {@code pgtrickle.pgt_dependencies}. */
public final class DependencyCatalog {
  private DependencyCatalog() {}

  /**
   * The dependency in the current row of a result with the columns of {@code
   * pgtrickle.pgt_dependencies}: {@code source_relid, source_schema, source_name, source_kind,
   * columns_used, column_types}.
   */
  public static Dependency read(ResultSet rs) throws SQLException {
    return new Dependency(
        rs.getLong("source_relid"),
        rs.getString("source_schema"),
        rs.getString("source_name"),
        SourceKind.valueOf(rs.getString("source_kind")),
        StreamTableCatalog.textArray(rs.getArray("columns_used")),
        StreamTableCatalog.textArray(rs.getArray("column_types")));
  }

  /** The relations a stream table reads, by schema and name. */
  public static List<Dependency> of(Connection c, long pgtId) throws SQLException {
    List<Dependency> deps = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT source_relid, source_schema, source_name, source_kind, columns_used,"
                + " column_types"
                + " FROM pgtrickle.pgt_dependencies WHERE pgt_id = ?"
                + " ORDER BY source_schema, source_name")) {
      ps.setLong(1, pgtId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          deps.add(read(rs));
        }
      }
    }
    return deps;
  }

  /** Replaces the recorded dependencies of a stream table. */
  public static void replace(Connection c, long pgtId, List<Dependency> deps)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM pgtrickle.pgt_dependencies WHERE pgt_id = ?")) {
      ps.setLong(1, pgtId);
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO pgtrickle.pgt_dependencies (pgt_id, source_relid, source_schema,"
                + " source_name, source_kind, columns_used, column_types)"
                + " VALUES (?, ?::oid, ?, ?, ?, ?, ?)")) {
      for (Dependency d : deps) {
        ps.setLong(1, pgtId);
        ps.setLong(2, d.sourceRelid());
        ps.setString(3, d.schema());
        ps.setString(4, d.name());
        ps.setString(5, d.kind().name());
        ps.setArray(6, c.createArrayOf("text", d.columnsUsed().toArray()));
        ps.setArray(7, c.createArrayOf("text", d.columnTypes().toArray()));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** The stream tables that read the relation {@code relid}, by schema and name. */
  public static List<StreamTable> readersOf(Connection c, long relid) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT s.pgt_id FROM pgtrickle.pgt_dependencies d"
                + " JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = d.pgt_id"
                + " WHERE d.source_relid = ?::oid ORDER BY s.pgt_schema, s.pgt_name")) {
      ps.setLong(1, relid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    List<StreamTable> readers = new ArrayList<>();
    for (long id : ids) {
      StreamTableCatalog.findById(c, id).ifPresent(readers::add);
    }
    return readers;
  }

  /**
   * True when some stream table that consumes change buffers still reads {@code relid} as a
   * captured source: any but an IMMEDIATE one (by its requested mode, which an alter records
   * before it sets the new mode up), whose triggers maintain it inside each writing transaction
   * without the buffer. A relation only IMMEDIATE stream tables read needs no capture.
   */
  public static boolean isCapturedSourceInUse(Connection c, long relid) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d"
                + " JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = d.pgt_id"
                + " WHERE d.source_relid = ?::oid"
                + " AND d.source_kind IN ('TABLE', 'PARTITIONED', 'STREAM_TABLE')"
                + " AND s.requested_mode <> 'IMMEDIATE')")) {
      ps.setLong(1, relid);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /**
   * Every edge "stream table reads stream table" as pairs of storage oids {@code [reader,
   * source]}: the graph cycle checks walk.
   */
  public static List<long[]> streamTableEdges(Connection c) throws SQLException {
    List<long[]> edges = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT s.pgt_relid AS reader, d.source_relid AS source FROM pgtrickle.pgt_dependencies d"
                + " JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = d.pgt_id"
                + " WHERE d.source_kind = 'STREAM_TABLE'");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        edges.add(new long[] {rs.getLong("reader"), rs.getLong("source")});
      }
    }
    return edges;
  }
}
