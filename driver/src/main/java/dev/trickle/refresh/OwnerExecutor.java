package dev.trickle.refresh;

import dev.trickle.catalog.StreamTable;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one way a refresh runs what evaluates the defining query: one call of the owner's executor,
 * {@code pgtrickle."run_as_<owner oid>"(search_path, statements, queries, plan_once)} (catalog {@code
 * V19__refresh_as_owner_executor.sql}), a {@code SECURITY DEFINER} function owned by the stream
 * table's owner that runs the statements in order with {@code EXECUTE} and returns each one's row
 * count, or a query's first row.
 *
 * <p>Inside a {@code SECURITY DEFINER} function PostgreSQL refuses {@code SET ROLE}, {@code RESET
 * ROLE}, {@code SET SESSION AUTHORIZATION} and {@code set_config('role', ...)} (42501), also to
 * functions it calls: code in the query runs as the owner and cannot become the refreshing role
 * (a superuser's scheduler, say). The function's {@code search_path} is pinned ({@code pg_catalog,
 * pg_temp}) and set to the stream table's for the statements; {@code pgtrickle.maintenance} is
 * {@code on} only while it runs, so the storage's guard trigger lets writes through only there.
 * The statements travel as a bound text array, never spliced into other SQL. A batch marked
 * {@link StatementBatch#plannedOncePerSession} (a differential program, a FULL apply) runs as a
 * PL/pgSQL function of the session made from its text, so its statements are planned once per
 * session, as the client's prepared statements were before; others run statement by statement
 * with {@code EXECUTE}, planned on every run.
 */
public final class OwnerExecutor implements AsOwner {
  private final Connection c;
  private final String call;
  private final String searchPath;

  /**
   * @param function the executor's qualified name, as {@code pgtrickle.owner_executor} returned it
   * @param searchPath the stream table's recorded {@code search_path}
   */
  OwnerExecutor(Connection c, String function, String searchPath) {
    this.c = c;
    this.call =
        "SELECT ordinal, row_count, columns, first_row FROM " + function
            + "(?::text, ?::text[], ?::boolean[], ?::boolean)";
    this.searchPath = searchPath;
  }

  /**
   * The executor of the owner of stream table {@code st}, found (or created) in a round trip of its
   * own: for what runs as the owner outside a refresh, such as the setup of a maintenance mode.
   */
  public static AsOwner of(Connection c, StreamTable st) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + find(st.relid()))) {
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new OwnerExecutor(c, rs.getString(1), st.spec().searchPath());
      }
    }
  }

  /** The select-list expression that finds (or creates) the executor of the storage's owner. */
  static String find(long storageRelid) {
    return "pgtrickle.owner_executor(" + storageRelid + "::oid)";
  }

  @Override
  public StatementBatch.Result run(StatementBatch batch) throws SQLException {
    if (batch.needsConnection()) {
      throw new IllegalArgumentException(
          "a batch sent as the owner has no readers of rows and no bound values");
    }
    List<String> statements = batch.statements();
    int n = statements.size();
    Boolean[] queries = new Boolean[n];
    for (int i = 0; i < n; i++) {
      queries[i] = batch.isQuery(i);
    }
    boolean planOnce = batch.plansOnce();
    batch.clear();
    if (n == 0) {
      return new StatementBatch.Result(new long[0], List.of(), Map.of());
    }
    long[] counts = new long[n];
    Map<Integer, ResultRow> rows = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(call)) {
      ps.setString(1, searchPath);
      ps.setArray(2, c.createArrayOf("text", statements.toArray()));
      ps.setArray(3, c.createArrayOf("boolean", queries));
      ps.setBoolean(4, planOnce);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int i = rs.getInt("ordinal") - 1;
          if (queries[i]) {
            rows.put(i, row(rs.getArray("columns"), rs.getArray("first_row")));
          } else {
            counts[i] = rs.getLong("row_count");
          }
        }
      }
    }
    List<String> lastRow = queries[n - 1] ? rows.get(n - 1).values() : List.of();
    return new StatementBatch.Result(counts, lastRow, rows);
  }

  private static ResultRow row(Array columns, Array values) throws SQLException {
    if (columns == null) {
      return ResultRow.NONE;
    }
    return new ResultRow(
        Arrays.asList((String[]) columns.getArray()),
        new ArrayList<>(Arrays.asList((String[]) values.getArray())));
  }
}
