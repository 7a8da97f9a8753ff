package dev.trickle.refresh;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;

/** Writes rows of {@code pgtrickle.pgt_refresh_history}: one per refresh attempt. */
final class RefreshHistory {
  private RefreshHistory() {}

  /** Records a completed refresh (end time: now). */
  static void completed(
      Connection c, long pgtId, OffsetDateTime start, RefreshOutcome outcome, InitiatedBy by)
      throws SQLException {
    insert(
        c,
        pgtId,
        start,
        outcome.action(),
        "COMPLETED",
        outcome.counts(),
        null,
        outcome.reason(),
        by);
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
    insert(c, pgtId, start, action, "FAILED", RefreshCounts.NONE, error, reason, by);
  }

  private static void insert(
      Connection c,
      long pgtId,
      OffsetDateTime start,
      RefreshAction action,
      String status,
      RefreshCounts counts,
      String error,
      String reason,
      InitiatedBy by)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, start_time, end_time, action,"
                + " status, rows_inserted, rows_deleted, error_message, reason, initiated_by)"
                + " VALUES (?, coalesce(?, clock_timestamp()), clock_timestamp(), ?, ?, ?, ?, ?,"
                + " ?, ?)")) {
      ps.setLong(1, pgtId);
      ps.setObject(2, start, Types.TIMESTAMP_WITH_TIMEZONE);
      ps.setString(3, action.name());
      ps.setString(4, status);
      ps.setLong(5, counts.rowsInserted());
      ps.setLong(6, counts.rowsDeleted());
      ps.setString(7, error);
      ps.setString(8, reason);
      ps.setString(9, by.name());
      ps.executeUpdate();
    }
  }
}
