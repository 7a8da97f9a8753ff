package dev.trickle.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trickle.catalog.RefreshCosts;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Learning what a stream table's refreshes cost and deciding from it, without a database: no
 * history yet, learning, falling back to a recompute, and coming back to differential.
 */
class LearnedCostTest {
  private static RefreshCosts recomputed(RefreshCosts before, double millis) {
    return LearnedCost.after(before, RefreshAction.FULL, 0, millis);
  }

  private static RefreshCosts applied(RefreshCosts before, long rows, double millis) {
    return LearnedCost.after(before, RefreshAction.DIFFERENTIAL, rows, millis);
  }

  @Test
  void withoutARecomputeAndADifferentialRefreshMeasuredNothingIsDecided() {
    assertThat(LearnedCost.learned(RefreshCosts.NONE)).isFalse();
    assertThat(LearnedCost.recomputeBecause(RefreshCosts.NONE, 1_000_000, 0)).isEmpty();
    RefreshCosts onlyRecompute = recomputed(RefreshCosts.NONE, 1);
    assertThat(LearnedCost.learned(onlyRecompute)).isFalse();
    assertThat(LearnedCost.recomputeBecause(onlyRecompute, 1_000_000, 0)).isEmpty();
    RefreshCosts onlyDelta = applied(RefreshCosts.NONE, 2_000, 10_000);
    assertThat(onlyDelta.deltaRefreshes()).isEqualTo(1);
    assertThat(LearnedCost.learned(onlyDelta)).isFalse();
    assertThat(LearnedCost.recomputeBecause(onlyDelta, 2_000, 0)).isEmpty();
    assertThat(onlyDelta.costlyStreak()).as("nothing to compare with: not costly").isZero();
  }

  @Test
  void aFirstDifferentialRefreshIsTakenAsAllPerRow() {
    RefreshCosts costs = applied(recomputed(RefreshCosts.NONE, 110), 2_000, 6_600);
    LearnedCost.Prediction p = LearnedCost.predict(costs).orElseThrow();
    assertThat(p.fixedMillis()).isCloseTo(0, within(1e-9));
    assertThat(p.microsPerRow()).isCloseTo(3_300, within(1e-9));
    assertThat(p.millis(2_000)).isCloseTo(6_600, within(1e-9));
    assertThat(costs.deltaRefreshes()).isEqualTo(1);
    assertThat(costs.recomputeMillis()).hasValue(110);
    assertThat(costs.costlyStreak()).as("6.6 s against 110 ms").isEqualTo(1);
  }

  @Test
  void batchesOfSeveralSizesSeparateAFixedPartFromTheCostPerRow() {
    RefreshCosts costs = recomputed(RefreshCosts.NONE, 1_000);
    // 200 ms fixed, 50 µs a row, alternating batch sizes.
    for (int i = 0; i < 20; i++) {
      long rows = i % 2 == 0 ? 1_000 : 10_000;
      costs = applied(costs, rows, 200 + 0.05 * rows);
    }
    LearnedCost.Prediction p = LearnedCost.predict(costs).orElseThrow();
    assertThat(p.fixedMillis()).isCloseTo(200, within(1e-6));
    assertThat(p.microsPerRow()).isCloseTo(50, within(1e-6));
    assertThat(p.millis(100_000)).isCloseTo(5_200, within(1e-3));
  }

  @Test
  void theFitNeverPredictsANegativeFixedPartOrSlope() {
    RefreshCosts costs = recomputed(RefreshCosts.NONE, 100_000);
    // Larger batches measured faster (noise): the slope is clamped at 0, all fixed.
    costs = applied(costs, 1_000, 500);
    costs = applied(costs, 100_000, 100);
    LearnedCost.Prediction p = LearnedCost.predict(costs).orElseThrow();
    assertThat(p.microsPerRow()).isZero();
    assertThat(p.fixedMillis()).isCloseTo(costs.millis(), within(1e-9));
    // Costs that grow faster than the rows: the fixed part is clamped at 0.
    RefreshCosts steep = applied(applied(RefreshCosts.NONE, 1_000, 10), 100_000, 100_000);
    LearnedCost.Prediction q = LearnedCost.predict(steep).orElseThrow();
    assertThat(q.fixedMillis()).isCloseTo(0, within(1e-9));
    assertThat(q.millis((long) steep.rows())).isCloseTo(steep.millis(), within(1e-6));
  }

  @Test
  void aBatchPredictedMuchSlowerThanTheLastRecomputeIsRecomputedWithBothFigures() {
    RefreshCosts costs = applied(recomputed(RefreshCosts.NONE, 110), 2_000, 6_600);
    Optional<String> reason = LearnedCost.recomputeBecause(costs, 2_100, 0);
    assertThat(reason)
        .hasValue("2100 changed rows: applying the delta predicted at 6930 ms (0 ms + 3300.0 µs a"
            + " row, learned from 1 differential refreshes), recomputing measured at 110 ms");
  }

  @Test
  void aDeltaWithinTheMarginOrTheMinimumGainIsApplied() {
    RefreshCosts costs = applied(recomputed(RefreshCosts.NONE, 200), 1_000, 290);
    assertThat(LearnedCost.recomputeBecause(costs, 1_000, 0))
        .as("290 ms is under 1.5 x 200 ms").isEmpty();
    assertThat(LearnedCost.recomputeBecause(costs, 1_100, 0)).as("319 ms is over it").isPresent();
    RefreshCosts tiny = applied(recomputed(RefreshCosts.NONE, 1), 1_000, 20);
    assertThat(LearnedCost.learned(tiny)).isTrue();
    assertThat(LearnedCost.recomputeBecause(tiny, 1_000, 0))
        .as("20 times slower, but recomputing would save under 20 ms").isEmpty();
  }

  @Test
  void aBatchMuchSmallerThanThoseLearnedFromIsAppliedAndItsCostLearned() {
    RefreshCosts costs = applied(recomputed(RefreshCosts.NONE, 1_000), 20_000, 6_600);
    assertThat(LearnedCost.recomputeBecause(costs, 20_000, 0)).isPresent();
    assertThat(LearnedCost.recomputeBecause(costs, 1_000, 0)).as("predicted at 330 ms").isEmpty();
    RefreshCosts after = applied(costs, 1_000, 6_000);
    assertThat(after.costlyStreak()).as("it was costly too").isEqualTo(2);
    assertThat(LearnedCost.predict(after).orElseThrow().fixedMillis())
        .as("a small batch as slow as a large one: the cost is mostly fixed")
        .isGreaterThan(5_000);
    assertThat(LearnedCost.recomputeBecause(after, 1_000, 0)).isPresent();
  }

  @Test
  void batchesUnderTheMinimumAreNeitherLearnedFromNorCostly() {
    RefreshCosts costs = recomputed(RefreshCosts.NONE, 10);
    RefreshCosts small = applied(costs, 999, 500);
    assertThat(small.deltaRefreshes()).isZero();
    assertThat(small.costlyStreak()).as("500 ms against 10 ms, but 999 rows").isZero();
    assertThat(LearnedCost.learned(small)).isFalse();
    assertThat(LearnedCost.countBeforeFilling(small)).as("no round trip added").isFalse();
    RefreshCosts learned = applied(costs, 2_000, 20);
    RefreshCosts large = applied(learned, 2_000, 500);
    assertThat(large.costlyStreak()).as("a large batch at 500 ms").isEqualTo(1);
    RefreshCosts thenSmall = applied(large, 10, 500);
    assertThat(thenSmall.costlyStreak()).as("a small one ends the streak").isZero();
    assertThat(thenSmall.rows()).isEqualTo(large.rows());
    assertThat(thenSmall.millis()).isEqualTo(large.millis());
  }

  @Test
  void whatTheFillAlreadyTookIsTakenOffThePrediction() {
    // Deltas of 20,000 rows took 300 ms from the start of their fill; recomputing takes 110 ms.
    RefreshCosts costs = applied(recomputed(RefreshCosts.NONE, 110), 20_000, 300);
    assertThat(LearnedCost.recomputeBecause(costs, 20_000, 0))
        .as("before the fill: 300 ms against 110")
        .hasValueSatisfying(reason -> assertThat(reason).contains("predicted at 300 ms"));
    assertThat(LearnedCost.recomputeBecause(costs, 20_000, 250))
        .as("after a fill of 250 ms, 50 ms are left to pay")
        .isEmpty();
    assertThat(LearnedCost.recomputeBecause(costs, 40_000, 250))
        .as("twice the batch, 350 ms left")
        .hasValueSatisfying(reason ->
            assertThat(reason).contains("predicted at 350 ms").contains("less the 250 ms its fill took"));
  }

  @Test
  void aSmallBatchShowingTheFiguresWrongReplacesThem() {
    RefreshCosts costs = applied(recomputed(RefreshCosts.NONE, 110), 2_000, 6_600);
    for (int i = 0; i < 7; i++) {
      costs = recomputed(costs, 110);
    }
    assertThat(LearnedCost.recomputeBecause(recomputed(costs, 110), 200, 0))
        .as("200 rows predicted at 660 ms").isPresent();
    assertThat(LearnedCost.recomputeBecause(costs, 200, 0)).as("the probe").isEmpty();
    RefreshCosts after = applied(costs, 200, 4);
    assertThat(after.deltaRefreshes()).isEqualTo(1);
    assertThat(after.costlyStreak()).isZero();
    assertThat(LearnedCost.predict(after).orElseThrow().millis(2_000)).isCloseTo(40, within(1e-9));
  }

  @Test
  void afterEightRecomputesInARowADeltaIsTriedThenLessAndLessOften() {
    RefreshCosts costs = applied(recomputed(RefreshCosts.NONE, 110), 2_000, 6_600);
    StringBuilder tried = new StringBuilder();
    for (int refresh = 1; refresh <= 200; refresh++) {
      if (LearnedCost.recomputeBecause(costs, 2_000, 0).isPresent()) {
        costs = recomputed(costs, 110);
      } else {
        tried.append(refresh).append(' ');
        costs = applied(costs, 2_000, 6_600);
      }
    }
    // The first differential refresh started the streak at 1, each refresh adds 1: probes at
    // streaks 8, 16, 32, 64, 128 and 192.
    assertThat(tried.toString().trim()).isEqualTo("8 16 32 64 128 192");
  }

  @Test
  void aProbeThatIsCheapEndsTheStreakAndReplacesTheLearnedCost() {
    RefreshCosts costs = applied(recomputed(RefreshCosts.NONE, 110), 2_000, 6_600);
    for (int i = 0; i < 7; i++) {
      costs = recomputed(costs, 110);
    }
    assertThat(costs.costlyStreak()).as("the delta and seven recomputes").isEqualTo(8);
    assertThat(LearnedCost.recomputeBecause(costs, 2_000, 0)).as("the probe").isEmpty();
    assertThat(LearnedCost.probeBecause(costs, 2_000, 0))
        .hasValue("trying the delta again after 8 refreshes that recomputed or whose delta was"
            + " slow: 2000 changed rows: applying the delta predicted at 6600 ms (0 ms + 3300.0"
            + " µs a row, learned from 1 differential refreshes), recomputing measured at 110 ms");
    // The plan changed: the delta now takes 40 ms.
    costs = applied(costs, 2_000, 40);
    assertThat(costs.costlyStreak()).isZero();
    assertThat(LearnedCost.probeBecause(costs, 2_000, 0)).isEmpty();
    assertThat(costs.deltaRefreshes()).as("learning starts again").isEqualTo(1);
    assertThat(LearnedCost.predict(costs).orElseThrow().millis(2_000)).isCloseTo(40, within(1e-9));
    int recomputes = 0;
    for (int i = 0; i < 20; i++) {
      if (LearnedCost.recomputeBecause(costs, 2_000, 0).isPresent()) {
        recomputes++;
        costs = recomputed(costs, 110);
      } else {
        costs = applied(costs, 2_000, 40);
      }
    }
    assertThat(recomputes).isZero();
    assertThat(costs.deltaRefreshes()).isEqualTo(21);
  }

  @Test
  void aReinitializeForgetsTheDeltasOfTheOldQueryAndNoDataChangesNothing() {
    RefreshCosts costs = recomputed(applied(recomputed(RefreshCosts.NONE, 110), 2_000, 6_600), 90);
    assertThat(LearnedCost.after(costs, RefreshAction.NO_DATA, 0, 5)).isEqualTo(costs);
    RefreshCosts reinitialized = LearnedCost.after(costs, RefreshAction.REINITIALIZE, 0, 150);
    assertThat(reinitialized.recomputeMillis()).hasValue(150);
    assertThat(reinitialized.deltaRefreshes()).isZero();
    assertThat(reinitialized.costlyStreak()).isZero();
    assertThat(LearnedCost.learned(reinitialized)).isFalse();
  }

  @Test
  void probesAreDueAtEightThenEachDoublingThenEverySixtyFour() {
    assertThat(LearnedCost.probeDue(0)).isFalse();
    assertThat(LearnedCost.probeDue(4)).isFalse();
    assertThat(LearnedCost.probeDue(8)).isTrue();
    assertThat(LearnedCost.probeDue(9)).isFalse();
    assertThat(LearnedCost.probeDue(16)).isTrue();
    assertThat(LearnedCost.probeDue(96)).isFalse();
    assertThat(LearnedCost.probeDue(192)).isTrue();
    assertThat(LearnedCost.probeDue(Integer.MAX_VALUE)).isFalse();
  }
}
