package dev.trickle.catalog;

import java.util.OptionalDouble;

/**
 * What a stream table's own refreshes cost, as the catalog keeps them (the columns of {@code
 * pgt_stream_tables} from {@code last_recompute_ms} on): read with the catalog row a refresh locks
 * and written by the statement that records its success, so learning costs no round trip. The
 * refresh decides from them and learns them in {@code dev.trickle.refresh.LearnedCost}.
 *
 * @param recomputeMillis the duration of the last recompute, empty until one ran
 * @param deltaRefreshes the differential refreshes the averages were learned from (0: none)
 * @param rows the smoothed changed rows of a differential refresh
 * @param millis the smoothed duration of a differential refresh
 * @param rowsSquared the smoothed square of its changed rows
 * @param rowsMillis the smoothed product of its changed rows and its duration
 * @param costlyStreak refreshes since the last differential one that cost less than recomputing
 */
public record RefreshCosts(
    OptionalDouble recomputeMillis,
    int deltaRefreshes,
    double rows,
    double millis,
    double rowsSquared,
    double rowsMillis,
    int costlyStreak) {
  /** Nothing learned yet. */
  public static final RefreshCosts NONE =
      new RefreshCosts(OptionalDouble.empty(), 0, 0, 0, 0, 0, 0);

  /** The columns, in the order of the record's components. */
  static final String COLUMNS =
      "last_recompute_ms, delta_refreshes, delta_rows_avg, delta_ms_avg, delta_rows_sq_avg,"
          + " delta_rows_ms_avg, costly_streak";

  /** The same values with another streak. */
  public RefreshCosts withStreak(int streak) {
    return new RefreshCosts(
        recomputeMillis, deltaRefreshes, rows, millis, rowsSquared, rowsMillis, streak);
  }
}
