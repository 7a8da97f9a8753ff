package dev.trickle.refresh;

import dev.trickle.catalog.Quoting;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;

/**
 * Writes rows of {@code pgtrickle.pgt_refresh_history}: one per refresh attempt. A completed
 * refresh's row is a statement the refresh sends with its other closing statements (one round
 * trip), so every value is written as a quoted literal.
 */
final class RefreshHistory {
  private RefreshHistory() {}

  /** The statement recording a completed refresh (end time: when it runs). */
  static String completedStatement(
      long pgtId, OffsetDateTime start, RefreshOutcome outcome, InitiatedBy by) {
    return insert(
        pgtId, start, outcome.action(), "COMPLETED", outcome.counts(), null, outcome.reason(), by);
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
    try (Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      st.executeUpdate(
          insert(pgtId, start, action, "FAILED", RefreshCounts.NONE, error, reason, by));
    }
  }

  private static String insert(
      long pgtId,
      OffsetDateTime start,
      RefreshAction action,
      String status,
      RefreshCounts counts,
      String error,
      String reason,
      InitiatedBy by) {
    return "INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, start_time, end_time, action,"
        + " status, rows_inserted, rows_deleted, error_message, reason, initiated_by) VALUES ("
        + pgtId
        + ", "
        + (start == null ? "clock_timestamp()" : Quoting.literal(start.toString()) + "::timestamptz")
        + ", clock_timestamp(), "
        + Quoting.literal(action.name())
        + ", "
        + Quoting.literal(status)
        + ", "
        + counts.rowsInserted()
        + ", "
        + counts.rowsDeleted()
        + ", "
        + literalOrNull(error)
        + ", "
        + literalOrNull(reason)
        + ", "
        + Quoting.literal(by.name())
        + ")";
  }

  private static String literalOrNull(String value) {
    return value == null ? "NULL" : Quoting.literal(value);
  }
}
