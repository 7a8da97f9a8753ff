package dev.trickle.refresh;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;

/**
 * Writes rows of {@code pgtrickle.pgt_refresh_history}: one per refresh attempt. A completed
 * refresh's row is a statement the refresh sends with its other closing statements (one round
 * trip); its values are bound, so its text is the same every time and stays prepared.
 */
final class RefreshHistory {
  private RefreshHistory() {}

  /** Adds the statement recording a completed refresh (end time: when it runs) to {@code batch}. */
  static void addCompleted(
      StatementBatch batch,
      long pgtId,
      OffsetDateTime start,
      RefreshOutcome outcome,
      InitiatedBy by) {
    add(
        batch, pgtId, start, outcome.action(), "COMPLETED", outcome.counts(), null,
        outcome.reason(), by);
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
        "INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, start_time, end_time, action,"
            + " status, rows_inserted, rows_deleted, error_message, reason, initiated_by)"
            + " VALUES (?, coalesce(?::timestamptz, clock_timestamp()), clock_timestamp(), ?, ?, ?,"
            + " ?, ?, ?, ?)",
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
