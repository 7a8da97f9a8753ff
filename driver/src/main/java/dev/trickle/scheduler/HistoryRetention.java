package dev.trickle.scheduler;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Keeps {@code pgtrickle.pgt_refresh_history} from growing without bound: the leading scheduler
 * deletes the rows older than {@code pg_trickle.history_retention_days} (0 keeps everything), in
 * batches of {@link #BATCH} rows, each its own transaction, at most {@link #MAX_BATCHES} per call,
 * so a backlog is worked off over several calls instead of holding up a pass.
 */
final class HistoryRetention {
  /** Rows deleted per statement. */
  static final int BATCH = 5_000;

  /** Statements per call. */
  static final int MAX_BATCHES = 5;

  private HistoryRetention() {}

  /**
   * Deletes history older than {@code days} days, oldest first.
   *
   * @param c a connection in autocommit
   * @return the rows deleted
   */
  static long prune(Connection c, int days) throws SQLException {
    if (days <= 0) {
      return 0;
    }
    long deleted = 0;
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM pgtrickle.pgt_refresh_history WHERE refresh_id IN (SELECT refresh_id"
                + " FROM pgtrickle.pgt_refresh_history WHERE start_time < now() -"
                + " make_interval(days => ?) ORDER BY start_time LIMIT ?)")) {
      ps.setInt(1, days);
      ps.setInt(2, BATCH);
      for (int i = 0; i < MAX_BATCHES; i++) {
        int rows = ps.executeUpdate();
        deleted += rows;
        if (rows < BATCH) {
          break;
        }
      }
    }
    return deleted;
  }
}
