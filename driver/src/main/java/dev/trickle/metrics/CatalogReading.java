package dev.trickle.metrics;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One reading of what {@link TrickleMetrics} reports, taken from the catalog in one round trip per
 * query on the caller's connection: the stream tables (status, staleness), the refreshes recorded
 * since a given history id, the change-buffer rows each source still holds for its slowest reader,
 * and whether this process's scheduler leads the database (its heartbeat row).
 *
 * @param streamTables by qualified name
 * @param refreshes completed and failed refreshes asked for, by id
 * @param bufferedRows unconsumed change-buffer rows by source (qualified name)
 * @param leader true when the heartbeat of this process's scheduler is in the catalog
 */
record CatalogReading(
    Map<String, StreamTableReading> streamTables,
    List<RecordedRefresh> refreshes,
    Map<String, Long> bufferedRows,
    boolean leader) {

  /**
   * A stream table as read; an IMMEDIATE one is never stale (its writers maintain it), a stream
   * table never populated has no staleness (null).
   */
  record StreamTableReading(String name, String status, Double stalenessSeconds) {}

  /** One row of {@code pgt_refresh_history}. */
  record RecordedRefresh(
      long id, String streamTable, String action, boolean completed, long rowsInserted,
      long rowsDeleted, double seconds) {}

  private static final String STREAM_TABLES =
      "SELECT format('%I.%I', pgt_schema, pgt_name) AS stream_table, status,"
          + " CASE WHEN effective_mode = 'IMMEDIATE' AND is_populated THEN 0"
          + "   ELSE extract(epoch FROM clock_timestamp() - data_timestamp)::float8 END AS staleness"
          + " FROM pgtrickle.pgt_stream_tables";
  private static final String REFRESHES =
      "SELECT r.refresh_id, format('%I.%I', s.pgt_schema, s.pgt_name) AS stream_table, r.action,"
          + " r.status = 'COMPLETED' AS completed, r.rows_inserted, r.rows_deleted,"
          + " coalesce(extract(epoch FROM r.end_time - r.start_time), 0)::float8 AS seconds"
          + " FROM pgtrickle.pgt_refresh_history r"
          + " JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = r.pgt_id"
          + " WHERE r.refresh_id > ? AND r.start_time >= ? AND r.status IN ('COMPLETED', 'FAILED')"
          + " ORDER BY r.refresh_id";
  private static final String BUFFERED_ROWS =
      "SELECT source_table, coalesce(max(pending_rows), 0) AS pending_rows"
          + " FROM pgtrickle.change_buffer_sizes() GROUP BY source_table";
  private static final String LEADER =
      "SELECT EXISTS (SELECT FROM pgtrickle.pgt_scheduler WHERE host = ? AND pid = ?)";
  private static final String INSTALLED = "SELECT to_regclass('pgtrickle.pgt_meta') IS NOT NULL";

  /**
   * Reads everything, with the refreshes recorded after {@code afterRefreshId} that started at
   * {@code since} or later.
   */
  static CatalogReading read(Connection c, long afterRefreshId, Instant since)
      throws SQLException {
    Map<String, StreamTableReading> streamTables = new LinkedHashMap<>();
    Map<String, Long> buffered = new LinkedHashMap<>();
    List<RecordedRefresh> refreshes = new ArrayList<>();
    try (Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery(STREAM_TABLES)) {
        while (rs.next()) {
          String name = rs.getString("stream_table");
          String status = rs.getString("status");
          double staleness = rs.getDouble("staleness");
          streamTables.put(
              name, new StreamTableReading(name, status, rs.wasNull() ? null : staleness));
        }
      }
      try (ResultSet rs = s.executeQuery(BUFFERED_ROWS)) {
        while (rs.next()) {
          buffered.put(rs.getString("source_table"), rs.getLong("pending_rows"));
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement(REFRESHES)) {
      ps.setLong(1, afterRefreshId);
      ps.setObject(2, since.atOffset(ZoneOffset.UTC));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          refreshes.add(
              new RecordedRefresh(
                  rs.getLong("refresh_id"), rs.getString("stream_table"), rs.getString("action"),
                  rs.getBoolean("completed"), rs.getLong("rows_inserted"),
                  rs.getLong("rows_deleted"), rs.getDouble("seconds")));
        }
      }
    }
    return new CatalogReading(streamTables, refreshes, buffered, leads(c));
  }

  /** True when the database has the Trickle catalog. */
  static boolean installed(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(INSTALLED)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static boolean leads(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(LEADER)) {
      ps.setString(1, hostName());
      ps.setLong(2, ProcessHandle.current().pid());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** The host name the scheduler's heartbeat records (as {@code RefreshScheduler} finds it). */
  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown-host";
    }
  }
}
