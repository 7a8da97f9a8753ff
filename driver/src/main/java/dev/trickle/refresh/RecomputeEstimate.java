package dev.trickle.refresh;

import java.util.List;
import java.util.Locale;

/**
 * Before a differential refresh applies its batch: would recomputing the query cost less? A delta
 * costs in proportion to the rows that changed and the inputs each changed row is joined through;
 * a recomputation in proportion to the rows of every source it reads. When the delta's estimate
 * is higher, this refresh recomputes (the history records action FULL with {@link
 * Decision#reason()}), and the stream table stays DIFFERENTIAL for the next batch.
 *
 * <p>The two factors were measured with the TPC-H benchmark (see {@code docs/benchmarks/tpch.md},
 * "Cost-based fallback"): the time of a differential refresh per changed row and per input of the
 * query, and the time of {@code REFRESH MATERIALIZED VIEW} per source row. They are deliberately
 * conservative for the delta (a join fans changed rows out, a filter drops them): a batch under
 * {@link #MIN_CHANGED_ROWS} rows is never recomputed, and neither is one whose delta is not
 * estimated to cost more than the recomputation.
 *
 * <p>It decides only until the stream table's own refreshes were measured ({@link LearnedCost}),
 * which then decide instead ({@link RefreshDecision}): it is what a first large batch has before
 * anything is learned.
 *
 * <p>Pure: the caller reads the source sizes ({@code pg_class.reltuples}) only when {@link
 * #worthAsking} says the batch is large enough to matter.
 */
public final class RecomputeEstimate {
  /**
   * Microseconds of a differential refresh per delta row (an update counts twice) and per input
   * the query reads: the median over the DIFFERENTIAL TPC-H queries at SF 0.1 with 1% changes
   * (docs/benchmarks/README.md, "Constants fitted to measurements").
   */
  static final double DELTA_US_PER_CHANGED_ROW_PER_INPUT = 9.0;

  /**
   * Microseconds of a recomputation per row of the sources it reads: the median of {@code REFRESH
   * MATERIALIZED VIEW} over the same queries (same section).
   */
  static final double RECOMPUTE_US_PER_SOURCE_ROW = 0.55;

  /**
   * Batches smaller than this are always applied as deltas (no size lookup either): below it the
   * change-volume heuristic never chooses FULL either ({@link ChangeVolume}).
   */
  static final long MIN_CHANGED_ROWS =
      (long) (ChangeVolume.MIN_ROWS * ChangeVolume.MAX_CHANGE_RATIO);

  private RecomputeEstimate() {}

  /**
   * One source of the query in this refresh.
   *
   * @param name the source's name, for the reason
   * @param changedRows the delta rows consumed from it (0 for a source without changes)
   * @param estimatedRows its estimated size ({@code reltuples}, 0 when unknown)
   */
  public record Source(String name, long changedRows, long estimatedRows) {}

  /**
   * The estimates and the choice.
   *
   * @param recompute true when this refresh should recompute
   * @param deltaMillis the estimated time of applying the deltas
   * @param recomputeMillis the estimated time of recomputing
   * @param reason what the history records when recomputing, else null
   */
  public record Decision(
      boolean recompute, double deltaMillis, double recomputeMillis, String reason) {}

  /** True when the batch is large enough that the estimate could choose recomputing. */
  public static boolean worthAsking(List<SourceChanges> changes) {
    return changes.stream().mapToLong(SourceChanges::rows).sum() >= MIN_CHANGED_ROWS;
  }

  /**
   * Decides for a query reading {@code inputs} relations (FROM items of its joins, subqueries
   * included, at least 1) from the sources with their changes and sizes.
   */
  public static Decision decide(List<Source> sources, int inputs) {
    long changed = sources.stream().mapToLong(Source::changedRows).sum();
    long size = sources.stream().mapToLong(s -> Math.max(0, s.estimatedRows())).sum();
    double delta = changed * DELTA_US_PER_CHANGED_ROW_PER_INPUT * Math.max(1, inputs) / 1000.0;
    double recompute = size * RECOMPUTE_US_PER_SOURCE_ROW / 1000.0;
    boolean cheaper = changed >= MIN_CHANGED_ROWS && size > 0 && delta > recompute;
    String reason = cheaper
        ? String.format(Locale.ROOT,
            "%d changed rows through %d inputs: applying the delta estimated at %.0f ms,"
                + " recomputing from %d source rows at %.0f ms",
            changed, Math.max(1, inputs), delta, size, recompute)
        : null;
    return new Decision(cheaper, delta, recompute, reason);
  }
}
