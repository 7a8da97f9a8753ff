package dev.trickle.refresh;

import dev.trickle.catalog.RefreshCosts;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A refresh is never much worse than recomputing: what a stream table's own refreshes cost, learned
 * from them, and the choice made from it before a differential refresh applies its batch. Pure: the
 * figures travel in the catalog row the refresh locks ({@link RefreshCosts}) and come back with the
 * statement that records its success, so neither reading nor learning adds a round trip.
 *
 * <p><b>Learning</b> ({@link #after}). A differential refresh is timed from the start of its delta
 * fill to the end of its action: the fill decodes and nets every consumed buffer row, and for a
 * batch of thousands of rows over a cheap query it costs several times the program, so a cost
 * that left it out would keep applying deltas that lose to recomputing. A recompute
 * is timed from its decision to the end of its action (a fill paid before the decision is not part
 * of what recomputing costs). A recompute (FULL, REINITIALIZE, the first
 * population included) stores its duration: the last one is what recomputing costs now, in
 * whatever way the stream table is recomputed (truncate and insert, or the difference applied when
 * something reads its changes). A differential refresh of at least {@link #MIN_LEARNED_ROWS}
 * changed rows adds its duration and changed rows to exponentially smoothed averages ({@link
 * #SMOOTHING}), from which {@link #predict} fits a line: a fixed part plus a cost per changed row.
 * A REINITIALIZE forgets the differential figures: they belong to the old query.
 *
 * <p><b>Deciding</b> ({@link #recomputeBecause}). The batch's predicted time, less what its fill
 * already took when the decision comes after the fill, is compared with the last recompute: when it
 * is more than {@link #MARGIN} times that and more than {@link #MIN_GAIN_MILLIS} above it, the
 * refresh recomputes, with a reason stating both figures; the
 * stream table stays DIFFERENTIAL. Until both a recompute and a differential refresh were measured
 * this says nothing, and the static {@link RecomputeEstimate} decides for large batches.
 *
 * <p><b>Coming back</b>. A stream table whose refreshes only recompute would never measure a
 * differential refresh again, so a cost that has fallen (the query's plan changed, the batches
 * shrank, the sources grew) would never be seen. Three things bring it back. The prediction scales
 * with the batch: when the figures were learned from batches of one size the fixed part is taken
 * as zero, so a batch much smaller than those is predicted cheaper and applied when it is no longer
 * much slower than recomputing. Every refresh since the last differential one that was worth it
 * (once one was measured) counts in {@code costlyStreak} (a differential refresh of fewer than
 * {@link #MIN_LEARNED_ROWS} rows ends it: its time says little); after {@link #PROBE_AFTER} of
 * them, and again each time the streak doubles (at most every {@link #PROBE_EVERY_AT_MOST}
 * refreshes), one refresh applies its delta anyway, its reason in the history saying so ({@link
 * #probeBecause}); a probe that is still expensive costs only that refresh (its time is learned,
 * the streak goes on). And a differential refresh that turns out cheap where the figures predicted it much slower
 * than recomputing ends the streak and replaces the averages, whatever its size: the old cost is
 * what kept the deltas from running, so one cheap measurement is enough to give them their chance
 * again (were it luck, the next large deltas learn the cost back).
 */
final class LearnedCost {
  /**
   * How much slower than the last recompute a delta must be predicted before the refresh
   * recomputes. Not 1: a recompute rewrites the storage (and its indexes, or the difference for
   * downstream stream tables) and its time varies from run to run as much as the delta's; a
   * prediction only slightly above it is within that noise, and recomputing there would trade a
   * refresh that scales with the changes for one that scales with the sources for no sure gain.
   */
  static final double MARGIN = 1.5;

  /**
   * Milliseconds a recompute must be predicted to save, whatever the ratio: below it the choice
   * does not matter to anyone, while the measurements of tiny refreshes are mostly noise (a first
   * run's planning, a busy machine), which should not make small stream tables flap.
   */
  static final double MIN_GAIN_MILLIS = 20;

  /**
   * Changed rows from which a differential refresh is learned. A smaller batch's time is
   * mostly what every refresh pays whatever its size (its statements, their planning, the first
   * run's on a connection): taken as a cost per row it would be multiplied by the next larger
   * batch, and a small stream table would flap between recomputing and not on noise. Such a
   * refresh is never counted as costly either (a busy moment makes a one-row refresh take 1.5
   * times a small stream table's recompute, and a streak would have every later refresh count its
   * batch first, two round trips more each; see {@code docs/benchmarks/README.md}); a cheap one
   * ends a streak, and replaces what was learned when it shows the
   * figures wrong ({@link #after}).
   */
  static final long MIN_LEARNED_ROWS = 1_000;

  /** The weight of the newest differential refresh in the smoothed averages. */
  static final double SMOOTHING = 0.3;

  /** Refreshes since the last worthwhile differential one after which a delta is tried again. */
  static final int PROBE_AFTER = 8;

  /** The longest run of refreshes between two tried deltas. */
  static final int PROBE_EVERY_AT_MOST = 64;

  /**
   * The spread of the learned batch sizes (standard deviation over mean) below which no fixed part
   * is told apart from the cost per row: every millisecond is then taken as per row.
   */
  static final double MIN_SPREAD = 0.1;

  private LearnedCost() {}

  /**
   * A differential refresh's predicted duration: {@code fixedMillis + microsPerRow * rows / 1000}.
   *
   * @param fixedMillis the part that does not depend on the batch
   * @param microsPerRow the cost of each changed row
   */
  record Prediction(double fixedMillis, double microsPerRow) {
    /** The predicted milliseconds of a batch of {@code rows} changed rows. */
    double millis(long rows) {
      return fixedMillis + microsPerRow * rows / 1000.0;
    }
  }

  /** Whether {@code costs} can decide: a recompute and a differential refresh were measured. */
  static boolean learned(RefreshCosts costs) {
    return costs.recomputeMillis().isPresent() && costs.deltaRefreshes() > 0 && costs.rows() > 0;
  }

  /**
   * The line through the smoothed averages (an exponentially weighted least-squares fit), its
   * slope kept between 0 and what makes the fixed part 0, so the prediction at the average batch
   * is always the average time; empty when no differential refresh was learned.
   */
  static Optional<Prediction> predict(RefreshCosts costs) {
    if (costs.deltaRefreshes() <= 0 || costs.rows() <= 0) {
      return Optional.empty();
    }
    double meanRows = costs.rows();
    double meanMillis = costs.millis();
    double proportional = meanMillis / meanRows;
    double variance = costs.rowsSquared() - meanRows * meanRows;
    double slope = proportional;
    if (variance > MIN_SPREAD * MIN_SPREAD * meanRows * meanRows) {
      double fitted = (costs.rowsMillis() - meanRows * meanMillis) / variance;
      slope = Math.max(0, Math.min(proportional, fitted));
    }
    return Optional.of(new Prediction(meanMillis - slope * meanRows, slope * 1000.0));
  }

  /**
   * Why a batch of {@code changedRows} should be recomputed, or empty to apply it: nothing
   * learned, predicted not much slower than recomputing, or a probe is due. {@code spentMillis}:
   * what the refresh already spent of the prediction (its delta fill; 0 before it).
   */
  static Optional<String> recomputeBecause(
      RefreshCosts costs, long changedRows, double spentMillis) {
    return learned(costs) && !probeDue(costs.costlyStreak())
        ? muchWorseFigures(costs, changedRows, spentMillis)
        : Optional.empty();
  }

  /**
   * Whether a refresh should count its batch before filling the delta tables: the last refresh
   * recomputed (for its cost, or once differential refreshes were learned) or was much slower than
   * recomputing (the streak), a recompute may be chosen again,
   * and the fill, which decodes every consumed row, would be paid for nothing if it is. A
   * stream table whose deltas are cheap pays no extra round trip.
   */
  static boolean countBeforeFilling(RefreshCosts costs) {
    return costs.recomputeMillis().isPresent() && costs.costlyStreak() > 0
        && !probeDue(costs.costlyStreak());
  }

  /**
   * Why a batch of {@code changedRows} is applied although predicted much slower than
   * recomputing: a probe is due; empty otherwise. The history records it with the DIFFERENTIAL
   * action.
   */
  static Optional<String> probeBecause(
      RefreshCosts costs, long changedRows, double spentMillis) {
    return learned(costs) && probeDue(costs.costlyStreak())
        ? muchWorseFigures(costs, changedRows, spentMillis)
            .map(figures -> "trying the delta again after " + costs.costlyStreak()
                + " refreshes that recomputed or whose delta was slow: " + figures)
        : Optional.empty();
  }

  /**
   * Both figures, when the delta, less {@code spentMillis} already spent on it, is predicted much
   * slower than recomputing; else empty.
   */
  private static Optional<String> muchWorseFigures(
      RefreshCosts costs, long changedRows, double spentMillis) {
    Prediction prediction = predict(costs).orElseThrow();
    double predicted = Math.max(0, prediction.millis(changedRows) - spentMillis);
    double recompute = costs.recomputeMillis().getAsDouble();
    if (!muchWorse(predicted, recompute)) {
      return Optional.empty();
    }
    String spent =
        spentMillis > 0
            ? String.format(Locale.ROOT, ", less the %.0f ms its fill took", spentMillis)
            : "";
    return Optional.of(String.format(Locale.ROOT,
        "%d changed rows: applying the delta predicted at %.0f ms (%.0f ms + %.1f µs a row,"
            + " learned from %d differential refreshes%s), recomputing measured at %.0f ms",
        changedRows, predicted, prediction.fixedMillis(), prediction.microsPerRow(),
        costs.deltaRefreshes(), spent, recompute));
  }

  /**
   * The costs after a refresh that took {@code action} on {@code changedRows} changed rows in
   * {@code millis}.
   */
  static RefreshCosts after(
      RefreshCosts before, RefreshAction action, long changedRows, double millis) {
    return after(before, action, false, changedRows, millis);
  }

  /**
   * As {@link #after(RefreshCosts, RefreshAction, long, double)}; {@code forCost}: the refresh
   * recomputed because recomputing looked cheaper, which counts in the streak also before any
   * differential refresh was learned (so the next refresh counts its batch before filling).
   */
  static RefreshCosts after(
      RefreshCosts before, RefreshAction action, boolean forCost, long changedRows, double millis) {
    return switch (action) {
      case NO_DATA -> before;
      case REINITIALIZE -> new RefreshCosts(OptionalDouble.of(millis), 0, 0, 0, 0, 0, 0);
      case FULL -> new RefreshCosts(
          OptionalDouble.of(millis), before.deltaRefreshes(), before.rows(), before.millis(),
          before.rowsSquared(), before.rowsMillis(),
          before.deltaRefreshes() == 0 && !forCost ? 0 : plusOne(before.costlyStreak()));
      case DIFFERENTIAL -> differential(before, changedRows, millis);
    };
  }

  private static RefreshCosts differential(RefreshCosts before, long changedRows, double millis) {
    double x = Math.max(1, changedRows);
    boolean costly = changedRows >= MIN_LEARNED_ROWS && before.recomputeMillis().isPresent()
        && muchWorse(millis, before.recomputeMillis().getAsDouble());
    boolean fell = !costly && learned(before)
        && muchWorse(predict(before).orElseThrow().millis(changedRows),
            before.recomputeMillis().getAsDouble());
    int streak = costly ? plusOne(before.costlyStreak()) : 0;
    if (changedRows < MIN_LEARNED_ROWS && !fell) {
      return before.withStreak(streak);
    }
    boolean restart = before.deltaRefreshes() == 0 || fell;
    double w = restart ? 1 : SMOOTHING;
    return new RefreshCosts(
        before.recomputeMillis(),
        restart ? 1 : plusOne(before.deltaRefreshes()),
        smooth(before.rows(), x, w),
        smooth(before.millis(), millis, w),
        smooth(before.rowsSquared(), x * x, w),
        smooth(before.rowsMillis(), x * millis, w),
        streak);
  }

  private static int plusOne(int count) {
    return count == Integer.MAX_VALUE ? count : count + 1;
  }

  private static double smooth(double average, double value, double weight) {
    return average + weight * (value - average);
  }

  /** Whether a delta of {@code deltaMillis} is much worse than recomputing in {@code recompute}. */
  private static boolean muchWorse(double deltaMillis, double recompute) {
    return deltaMillis > MARGIN * recompute && deltaMillis - recompute > MIN_GAIN_MILLIS;
  }

  /** Whether the refresh after {@code streak} costly ones applies its delta anyway. */
  static boolean probeDue(int streak) {
    return streak >= PROBE_AFTER
        && (Integer.bitCount(streak) == 1 || streak % PROBE_EVERY_AT_MOST == 0);
  }
}
