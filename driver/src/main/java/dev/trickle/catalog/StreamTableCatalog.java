package dev.trickle.catalog;

import dev.trickle.sql.Sql;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/** Reads and writes rows of {@code pgtrickle.pgt_stream_tables}. */
public final class StreamTableCatalog {
  private static final String SELECT =
      "SELECT pgt_id, pgt_schema, pgt_name, pgt_relid, defining_query, search_path,"
          + " requested_mode, effective_mode, mode_reason, schedule, diamond_consistency,"
          + " diamond_schedule_policy, cdc_mode, definition_version, teardown_sql, status,"
          + " is_populated, consecutive_errors, last_error_message, data_timestamp, "
          + RefreshCosts.COLUMNS
          + " FROM pgtrickle.pgt_stream_tables ";

  /**
   * The statement that records a successful refresh: populated as of the data timestamp (first
   * placeholder), the refresh costs as learned after it (the next placeholders, bound with {@link
   * #costValues}), errors cleared, status ACTIVE (a suspended table stays suspended), for the
   * stream table id (last placeholder). A statement, not a call, so the refresh sends it with its
   * other closing statements in one round trip, the same text every time; it goes into a
   * data-modifying CTE of the statement that writes the history row.
   */
  public static final String RECORD_SUCCESS =
      "UPDATE pgtrickle.pgt_stream_tables SET is_populated = true, data_timestamp = ?,"
          + " last_recompute_ms = ?::float8, delta_refreshes = ?, delta_rows_avg = ?,"
          + " delta_ms_avg = ?, delta_rows_sq_avg = ?, delta_rows_ms_avg = ?, costly_streak = ?,"
          + " consecutive_errors = 0, last_error_message = NULL,"
          + " status = CASE WHEN status = 'SUSPENDED' THEN status ELSE 'ACTIVE' END"
          + " WHERE pgt_id = ?";

  private StreamTableCatalog() {}

  /** The values of {@link #RECORD_SUCCESS}'s cost placeholders, in order. */
  public static Object[] costValues(RefreshCosts costs) {
    return new Object[] {
      costs.recomputeMillis().isPresent() ? costs.recomputeMillis().getAsDouble() : null,
      costs.deltaRefreshes(),
      costs.rows(),
      costs.millis(),
      costs.rowsSquared(),
      costs.rowsMillis(),
      costs.costlyStreak()
    };
  }

  /** The stream table with this catalog id. */
  public static Optional<StreamTable> findById(Connection c, long pgtId) throws SQLException {
    return one(c, SELECT + "WHERE pgt_id = ?", pgtId);
  }

  /**
   * The query of {@link #findById} with the id written in, for a statement batch; read its rows
   * with {@link #read(ResultSet)}.
   */
  public static String findByIdQuery(long pgtId) {
    return findByIdQuery(String.valueOf(pgtId));
  }

  /**
   * Like {@link #findByIdQuery(long)}, for the id an SQL expression yields, such as {@link
   * #idByNameSql}.
   */
  public static String findByIdQuery(String pgtIdSql) {
    return SELECT + "WHERE pgt_id = " + pgtIdSql;
  }

  /**
   * A scalar subquery yielding the id of the stream table a name denotes, as {@link #findByName}
   * resolves it (NULL when none). The names are written in as quoted literals.
   */
  public static String idByNameSql(String schema, String name) {
    return schema == null
        ? "(SELECT pgt_id FROM pgtrickle.pgt_stream_tables JOIN unnest(current_schemas(false))"
            + " WITH ORDINALITY AS p (schema_name, position) ON p.schema_name = pgt_schema"
            + " WHERE pgt_name = " + Sql.literal(name) + " ORDER BY p.position LIMIT 1)"
        : "(SELECT pgt_id FROM pgtrickle.pgt_stream_tables WHERE pgt_schema = "
            + Sql.literal(schema) + " AND pgt_name = " + Sql.literal(name) + ")";
  }

  /**
   * The query that reads the stream table with this catalog id, its row locked until the
   * transaction ends ({@code FOR NO KEY UPDATE}, so rows referencing it, such as scheduler jobs,
   * can still be inserted), for a statement batch; read its rows with {@link #read(ResultSet)}. In
   * a REPEATABLE READ transaction whose snapshot predates the row's last change it fails with
   * SQLState 40001.
   */
  public static String lockByIdQuery(long pgtId) {
    return SELECT + "WHERE pgt_id = " + pgtId + " FOR NO KEY UPDATE";
  }

  /**
   * The stream table a name denotes: with {@code schema} null, the one in the first schema of the
   * {@code search_path} that has one (implicit schemas left out, as {@code current_schemas(false)}
   * lists them); else the one with exactly this schema and name.
   */
  public static Optional<StreamTable> findByName(Connection c, String schema, String name)
      throws SQLException {
    try (Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      try (ResultSet rs = st.executeQuery(findByIdQuery(idByNameSql(schema, name)))) {
        return read(rs).stream().findFirst();
      }
    }
  }

  /** The stream table whose storage table has this oid. */
  public static Optional<StreamTable> findByRelid(Connection c, long relid) throws SQLException {
    return one(c, SELECT + "WHERE pgt_relid = ?::oid", relid);
  }

  /** Every stream table, by schema and name. */
  public static List<StreamTable> all(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SELECT + "ORDER BY pgt_schema, pgt_name")) {
      return read(ps);
    }
  }

  /** Inserts a new stream table in status INITIALIZING and returns its id. */
  public static long insert(
      Connection c, String schema, String name, long relid, StreamTableSpec spec)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO pgtrickle.pgt_stream_tables (pgt_schema, pgt_name, pgt_relid,"
                + " defining_query, search_path, requested_mode, effective_mode, mode_reason,"
                + " schedule, diamond_consistency, diamond_schedule_policy, cdc_mode,"
                + " definition_version, teardown_sql)"
                + " VALUES (?, ?, ?::oid, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pgt_id")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      ps.setLong(3, relid);
      bindSpec(c, ps, 4, spec);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Replaces the definition columns of a stream table. */
  public static void updateSpec(Connection c, long pgtId, StreamTableSpec spec)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE pgtrickle.pgt_stream_tables SET defining_query = ?, search_path = ?,"
                + " requested_mode = ?, effective_mode = ?, mode_reason = ?, schedule = ?,"
                + " diamond_consistency = ?, diamond_schedule_policy = ?, cdc_mode = ?,"
                + " definition_version = ?, teardown_sql = ?, updated_at = now()"
                + " WHERE pgt_id = ?")) {
      bindSpec(c, ps, 1, spec);
      ps.setLong(12, pgtId);
      ps.executeUpdate();
    }
  }

  /** Stores how the stream table is maintained, as {@code pgtrickle.explain_st} shows it. */
  public static void setPlanDescription(Connection c, long pgtId, List<String> explain, String deltaSql)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE pgtrickle.pgt_stream_tables SET plan_explain = ?, plan_delta_sql = ? WHERE pgt_id = ?")) {
      ps.setArray(1, c.createArrayOf("text", explain.toArray()));
      ps.setString(2, deltaSql);
      ps.setLong(3, pgtId);
      ps.executeUpdate();
    }
  }

  /** Sets the status; {@code clearErrors} also resets the error count and message. */
  public static void setStatus(
      Connection c, long pgtId, StreamTableStatus status, boolean clearErrors)
      throws SQLException {
    String errors = clearErrors ? ", consecutive_errors = 0, last_error_message = NULL" : "";
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE pgtrickle.pgt_stream_tables SET status = ?, updated_at = now()"
                + errors
                + " WHERE pgt_id = ?")) {
      ps.setString(1, status.name());
      ps.setLong(2, pgtId);
      ps.executeUpdate();
    }
  }

  /** Marks the storage as not holding the query's result (alter with {@code initialize false}). */
  public static void markUnpopulated(Connection c, long pgtId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE pgtrickle.pgt_stream_tables SET is_populated = false, data_timestamp = NULL,"
                + " updated_at = now() WHERE pgt_id = ?")) {
      ps.setLong(1, pgtId);
      ps.executeUpdate();
    }
  }

  /**
   * Records a failed refresh and returns the resulting status: ERROR when {@code permanent},
   * SUSPENDED once {@code maxConsecutiveErrors} failures followed each other, else unchanged.
   */
  public static StreamTableStatus recordFailure(
      Connection c, long pgtId, String message, boolean permanent, int maxConsecutiveErrors)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE pgtrickle.pgt_stream_tables SET consecutive_errors = consecutive_errors + 1,"
                + " last_error_message = ?, updated_at = now(), status = CASE WHEN ? THEN 'ERROR'"
                + " WHEN consecutive_errors + 1 >= ? THEN 'SUSPENDED' ELSE status END"
                + " WHERE pgt_id = ? RETURNING status")) {
      ps.setString(1, message);
      ps.setBoolean(2, permanent);
      ps.setInt(3, maxConsecutiveErrors);
      ps.setLong(4, pgtId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? StreamTableStatus.valueOf(rs.getString(1)) : StreamTableStatus.ERROR;
      }
    }
  }

  /** Deletes the row; dependencies, frontiers and history go with it. */
  public static void delete(Connection c, long pgtId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM pgtrickle.pgt_stream_tables WHERE pgt_id = ?")) {
      ps.setLong(1, pgtId);
      ps.executeUpdate();
    }
  }

  private static void bindSpec(Connection c, PreparedStatement ps, int first, StreamTableSpec s)
      throws SQLException {
    ps.setString(first, s.query());
    ps.setString(first + 1, s.searchPath());
    ps.setString(first + 2, s.requestedMode().name());
    ps.setString(first + 3, s.effectiveMode().name());
    ps.setString(first + 4, s.modeReason());
    ps.setString(first + 5, s.schedule());
    ps.setString(first + 6, s.diamondConsistency());
    ps.setString(first + 7, s.diamondSchedulePolicy());
    ps.setString(first + 8, s.cdcMode());
    ps.setInt(first + 9, s.version());
    ps.setArray(first + 10, c.createArrayOf("text", s.teardownSql().toArray()));
  }

  private static Optional<StreamTable> one(Connection c, String sql, long key)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, key);
      return read(ps).stream().findFirst();
    }
  }

  private static List<StreamTable> read(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return read(rs);
    }
  }

  /** The stream tables in the rows of a query of this class's catalog columns. */
  public static List<StreamTable> read(ResultSet rs) throws SQLException {
    List<StreamTable> rows = new ArrayList<>();
    while (rs.next()) {
      StreamTableSpec spec =
          new StreamTableSpec(
              rs.getString("defining_query"),
              rs.getString("search_path"),
              RefreshMode.valueOf(rs.getString("requested_mode")),
              RefreshMode.valueOf(rs.getString("effective_mode")),
              rs.getString("mode_reason"),
              rs.getString("schedule"),
              rs.getString("diamond_consistency"),
              rs.getString("diamond_schedule_policy"),
              rs.getString("cdc_mode"),
              rs.getInt("definition_version"),
              textArray(rs.getArray("teardown_sql")));
      StreamTableState state =
          new StreamTableState(
              StreamTableStatus.valueOf(rs.getString("status")),
              rs.getBoolean("is_populated"),
              rs.getInt("consecutive_errors"),
              rs.getString("last_error_message"),
              rs.getObject("data_timestamp", OffsetDateTime.class),
              costs(rs));
      rows.add(
          new StreamTable(
              rs.getLong("pgt_id"),
              rs.getString("pgt_schema"),
              rs.getString("pgt_name"),
              rs.getLong("pgt_relid"),
              spec,
              state));
    }
    return rows;
  }

  private static RefreshCosts costs(ResultSet rs) throws SQLException {
    double recompute = rs.getDouble("last_recompute_ms");
    return new RefreshCosts(
        rs.wasNull() ? OptionalDouble.empty() : OptionalDouble.of(recompute),
        rs.getInt("delta_refreshes"),
        rs.getDouble("delta_rows_avg"),
        rs.getDouble("delta_ms_avg"),
        rs.getDouble("delta_rows_sq_avg"),
        rs.getDouble("delta_rows_ms_avg"),
        rs.getInt("costly_streak"));
  }

  /** The elements of a SQL {@code text[]} (empty for NULL). */
  public static List<String> textArray(Array array) throws SQLException {
    return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
  }
}
