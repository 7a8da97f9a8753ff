package dev.trickle.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The timings of one configuration (query × source size × change size): every repetition of the
 * three refreshes in milliseconds, what the history says each DIFFERENTIAL refresh did, the result
 * of the correctness check, and anything anomalous.
 *
 * @param query the query
 * @param sourceRows rows of the main source ({@code orders}, or {@code tree} for the hierarchy)
 * @param change the change size as configured
 * @param changedRows source rows each change touched
 * @param differentialMillis DIFFERENTIAL refresh times
 * @param fullMillis FULL refresh times
 * @param matviewMillis REFRESH MATERIALIZED VIEW times
 * @param unsettledMillis per repetition, the first untimed settling DIFFERENTIAL refresh (10 changed
 *     rows) right after the previous repetition's FULL and materialized-view rewrites; empty without
 *     {@code --settle}
 * @param differentialRefreshes the history row of each DIFFERENTIAL refresh
 * @param differentialTimedOut whether a DIFFERENTIAL refresh was cancelled by the statement timeout
 *     (its time is then not in {@code differentialMillis})
 * @param differences rows by which the DIFFERENTIAL stream table differed from its query after the
 *     last repetition (0: correct), or -1 when not checked
 * @param notes anomalies: fallbacks, failures, wrong results
 */
public record RefreshMeasurement(
    BenchmarkQuery query,
    int sourceRows,
    ChangeSize change,
    int changedRows,
    List<Double> differentialMillis,
    List<Double> fullMillis,
    List<Double> matviewMillis,
    List<Double> unsettledMillis,
    List<RefreshRecord> differentialRefreshes,
    boolean differentialTimedOut,
    long differences,
    List<String> notes) {

  /** Copies the lists. */
  public RefreshMeasurement {
    differentialMillis = List.copyOf(differentialMillis);
    fullMillis = List.copyOf(fullMillis);
    matviewMillis = List.copyOf(matviewMillis);
    unsettledMillis = List.copyOf(unsettledMillis);
    differentialRefreshes = List.copyOf(differentialRefreshes);
    notes = List.copyOf(notes);
  }

  /** Whether all three refreshes were timed at least once and none timed out. */
  public boolean complete() {
    return !differentialTimedOut && !differentialMillis.isEmpty() && !fullMillis.isEmpty()
        && !matviewMillis.isEmpty();
  }

  /** Median DIFFERENTIAL refresh time. */
  public double differential() {
    return median(differentialMillis);
  }

  /** Median FULL refresh time. */
  public double full() {
    return median(fullMillis);
  }

  /** Median REFRESH MATERIALIZED VIEW time. */
  public double matview() {
    return median(matviewMillis);
  }

  /**
   * Median time of a 10-row DIFFERENTIAL refresh right after the other contenders' rewrites, NaN
   * when not measured.
   */
  public double unsettled() {
    return median(unsettledMillis);
  }

  /** How many times faster DIFFERENTIAL is than REFRESH MATERIALIZED VIEW (medians). */
  public double speedupVsMatview() {
    return matview() / differential();
  }

  /** How many times faster DIFFERENTIAL is than a FULL stream-table refresh (medians). */
  public double speedupVsFull() {
    return full() / differential();
  }

  /** Whether every timed DIFFERENTIAL refresh completed as DIFFERENTIAL according to the history. */
  public boolean allDifferential() {
    return !differentialRefreshes.isEmpty()
        && differentialRefreshes.stream().allMatch(r -> r.completedAs("DIFFERENTIAL"));
  }

  /** The changed rows as a share of the source. */
  public double changedShare() {
    return (double) changedRows / sourceRows;
  }

  /** The median of {@code values} (mean of the middle two for an even count); NaN when empty. */
  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
