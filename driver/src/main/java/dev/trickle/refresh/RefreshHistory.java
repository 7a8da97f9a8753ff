package dev.trickle.refresh;

import dev.trickle.catalog.RefreshCosts;
import dev.trickle.catalog.StreamTableCatalog;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes rows of {@code pgtrickle.pgt_refresh_history}: one per refresh attempt. A completed
 * refresh's row is a statement the refresh sends with its other closing statements (one round
 * trip); its values are bound, so its text is the same every time and stays prepared.
 */
final class RefreshHistory {
  /**
   * The start of an insert of history rows, naming their columns: the values follow in this order
   * (a {@code VALUES} list or a {@code SELECT}).
   */
  static final String INSERT_INTO =
      "INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, start_time, end_time, action,"
          + " status, rows_inserted, rows_deleted, error_message, reason, initiated_by)";

  /** The history row's insert; its values are bound in the order of its columns. */
  private static final String INSERT =
      INSERT_INTO
          + " VALUES (?, coalesce(?::timestamptz, clock_timestamp()), clock_timestamp(), ?, ?, ?,"
          + " ?, ?, ?, ?)";

  private RefreshHistory() {}

  /**
   * Adds the statement recording a completed refresh to {@code batch}: the history row (end time:
   * when it runs) and, in a data-modifying CTE of the same statement, the stream table's success
   * ({@link StreamTableCatalog#RECORD_SUCCESS}) with the {@code costs} learned from it. One
   * statement, not two: a small refresh pays the server's per-statement cost about as much as its
   * work.
   *
   * @param takenAt when the refresh took its frontier snapshot: its start time and the stream
   *     table's data timestamp
   */
  static void addCompleted(
      StatementBatch batch,
      long pgtId,
      OffsetDateTime takenAt,
      RefreshOutcome outcome,
      RefreshCosts costs,
      InitiatedBy by) {
    List<Object> values = new ArrayList<>();
    values.add(takenAt);
    values.addAll(Arrays.asList(StreamTableCatalog.costValues(costs)));
    values.add(pgtId);
    values.addAll(Arrays.asList(
        pgtId,
        takenAt,
        outcome.action().name(),
        "COMPLETED",
        outcome.counts().rowsInserted(),
        outcome.counts().rowsDeleted(),
        null,
        outcome.reason(),
        by.name()));
    batch.addWithValues(
        "WITH success AS (" + StreamTableCatalog.RECORD_SUCCESS + ") " + INSERT, values.toArray());
  }

  /** Records a failed attempt (start null: it failed before it started its work). */
  static void failed(
      Connection c,
      long pgtId,
      OffsetDateTime start,
      RefreshAction action,
      String error,
      String reason,
      InitiatedBy by)
      throws SQLException {
    StatementBatch batch = new StatementBatch();
    add(batch, pgtId, start, action, "FAILED", RefreshCounts.NONE, error, reason, by);
    batch.run(c);
  }

  private static void add(
      StatementBatch batch,
      long pgtId,
      OffsetDateTime start,
      RefreshAction action,
      String status,
      RefreshCounts counts,
      String error,
      String reason,
      InitiatedBy by) {
    batch.addWithValues(
        INSERT,
        pgtId,
        start,
        action.name(),
        status,
        counts.rowsInserted(),
        counts.rowsDeleted(),
        error,
        reason,
        by.name());
  }
}
