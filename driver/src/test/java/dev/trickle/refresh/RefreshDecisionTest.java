package dev.trickle.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.catalog.RefreshCosts;
import dev.trickle.catalog.RefreshMode;
import dev.trickle.refresh.RefreshDecision.Decision;
import dev.trickle.refresh.RefreshDecision.Facts;
import dev.trickle.refresh.RefreshDecision.Step;
import dev.trickle.refresh.RefreshDecision.Volume;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The decision of a refresh, from facts alone: every path to each action, and its reason. */
class RefreshDecisionTest {
  private static final long A = 1;
  private static final long B = 2;

  private static Facts differential() {
    return Facts.read(Optional.empty(), true, true, RefreshMode.DIFFERENTIAL, Optional.empty(), true, RefreshCosts.NONE);
  }

  private static Volume mostly(String reason) {
    return new Volume(Optional.of(reason), Optional.empty());
  }

  private static Volume estimated(String reason) {
    return new Volume(Optional.empty(), Optional.of(reason));
  }

  private static Decision decide(Facts facts) {
    return RefreshDecision.decide(facts);
  }

  @Test
  void aForcedActionIsTakenWithItsReasonWhateverElseHolds() {
    Facts forced =
        Facts.read(
            Optional.of(new RefreshDecision.Forced(RefreshAction.REINITIALIZE, "query changed")),
            false, false, RefreshMode.IMMEDIATE, Optional.of("anything"), false, RefreshCosts.NONE);
    assertThat(decide(forced))
        .isEqualTo(new Decision(Step.RECOMPUTE, RefreshAction.REINITIALIZE, "query changed"));
  }

  @Test
  void anUnpopulatedStreamTableOrOneWithoutAFrontierIsRecomputed() {
    Facts unpopulated =
        Facts.read(Optional.empty(), false, true, RefreshMode.DIFFERENTIAL, Optional.empty(), true, RefreshCosts.NONE);
    assertThat(decide(unpopulated))
        .isEqualTo(new Decision(Step.RECOMPUTE, RefreshAction.FULL, "not populated"));
    Facts noFrontier =
        Facts.read(Optional.empty(), true, false, RefreshMode.DIFFERENTIAL, Optional.empty(), true, RefreshCosts.NONE);
    assertThat(decide(noFrontier).reason()).isEqualTo("no frontier recorded for a source");
  }

  @Test
  void anImmediateStreamTableOnlyAdvancesItsFrontier() {
    Facts immediate =
        Facts.read(Optional.empty(), true, true, RefreshMode.IMMEDIATE, Optional.empty(), true, RefreshCosts.NONE);
    assertThat(decide(immediate)).isEqualTo(new Decision(Step.NOTHING, RefreshAction.NO_DATA, null));
  }

  @Test
  void aFullStreamTableRecomputesOnlyWhenSomethingIsPending() {
    Facts full = Facts.read(Optional.empty(), true, true, RefreshMode.FULL, Optional.empty(), true, RefreshCosts.NONE);
    assertThat(decide(full).step()).isEqualTo(Step.CHECK_PENDING);
    assertThat(decide(full).isFinal()).isFalse();
    assertThat(decide(full.withPending(false)).action()).isEqualTo(RefreshAction.NO_DATA);
    assertThat(decide(full.withPending(true)))
        .isEqualTo(new Decision(Step.RECOMPUTE, RefreshAction.FULL, "refresh mode FULL"));
    Facts uncaptured =
        Facts.read(Optional.empty(), true, true, RefreshMode.FULL, Optional.empty(), false, RefreshCosts.NONE);
    assertThat(decide(uncaptured).reason())
        .isEqualTo("refresh mode FULL; changes of a source cannot be captured");
  }

  @Test
  void aQueryWithoutDifferentialRuleIsRecomputedSayingWhy() {
    Facts refused =
        Facts.read(
            Optional.empty(), true, true, RefreshMode.DIFFERENTIAL,
            Optional.of("window function at 12"), true, RefreshCosts.NONE);
    assertThat(decide(refused))
        .isEqualTo(
            new Decision(
                Step.RECOMPUTE,
                RefreshAction.FULL,
                "differential maintenance not possible: window function at 12"));
  }

  @Test
  void aDifferentialRefreshFillsThenWeighsThenApplies() {
    Facts facts = differential();
    assertThat(decide(facts).step()).isEqualTo(Step.FILL_DELTAS);
    facts = facts.withChanges(List.of(new SourceChanges(A, 3, false), new SourceChanges(B, 0, false)), 0);
    assertThat(decide(facts).step()).isEqualTo(Step.WEIGH_VOLUME);
    assertThat(decide(facts.withVolume(Volume.SMALL)))
        .isEqualTo(new Decision(Step.APPLY_DELTAS, RefreshAction.DIFFERENTIAL, null));
    assertThat(decide(facts.withVolume(mostly("most of a changed"))).step())
        .as("a refresh that would recompute because it is cheaper reads whether it may")
        .isEqualTo(Step.READ_COST_SETTING);
    Facts allowed = facts.withCostBased(true);
    assertThat(decide(allowed.withVolume(mostly("most of a changed"))))
        .isEqualTo(new Decision(Step.RECOMPUTE, RefreshAction.FULL, "most of a changed"));
    assertThat(decide(allowed.withVolume(estimated("estimated"))))
        .as("nothing learned: the static estimate decides")
        .isEqualTo(new Decision(Step.RECOMPUTE, RefreshAction.FULL, "estimated"));
    Facts refused = facts.withCostBased(false);
    assertThat(decide(refused.withVolume(mostly("most of a changed"))))
        .as("pg_trickle.cost_based_recompute off: the deltas are applied")
        .isEqualTo(new Decision(Step.APPLY_DELTAS, RefreshAction.DIFFERENTIAL, null));
    assertThat(decide(refused.withVolume(estimated("estimated"))).step()).isEqualTo(Step.APPLY_DELTAS);
  }

  /** A stream table that learned a delta of 2,000 rows takes 6,600 ms and a recompute 110 ms. */
  private static Facts learnedSlowDelta() {
    return learnedSlowDelta(1);
  }

  /** The same, after {@code streak} refreshes that recomputed or were slow. */
  private static Facts learnedSlowDelta(int streak) {
    RefreshCosts slow = LearnedCost.after(
        LearnedCost.after(RefreshCosts.NONE, RefreshAction.FULL, 0, 110),
        RefreshAction.DIFFERENTIAL, 2_000, 6_600).withStreak(streak);
    return Facts.read(
        Optional.empty(), true, true, RefreshMode.DIFFERENTIAL, Optional.empty(), true, slow);
  }

  @Test
  void learnedCostsRecomputeABatchPredictedMuchSlowerThanRecomputingAndOverrideTheEstimate() {
    Facts facts = learnedSlowDelta()
        .withChanges(List.of(new SourceChanges(A, 1_500, false), new SourceChanges(B, 500, false)), 0)
        .withCostBased(true);
    Decision learned = decide(facts.withVolume(Volume.SMALL));
    assertThat(learned.action()).isEqualTo(RefreshAction.FULL);
    assertThat(learned.reason())
        .startsWith("2000 changed rows: applying the delta predicted at 6600 ms")
        .endsWith("recomputing measured at 110 ms");
    assertThat(decide(facts.withVolume(estimated("estimated"))))
        .as("once learned, the static estimate is not consulted")
        .isEqualTo(learned);
    assertThat(decide(facts.withVolume(mostly("most of a changed"))).reason())
        .as("most of a source changed takes precedence")
        .isEqualTo("most of a changed");
    Facts probing = learnedSlowDelta(8)
        .withChanges(List.of(new SourceChanges(A, 2_000, false)), 0)
        .withVolume(estimated("estimated"));
    assertThat(decide(probing).action()).isEqualTo(RefreshAction.DIFFERENTIAL);
    assertThat(decide(probing).reason()).startsWith("trying the delta again after 8 refreshes");
    assertThat(decide(facts.withCostBased(false).withVolume(Volume.SMALL)).step())
        .as("off, a learned slow delta is applied too")
        .isEqualTo(Step.APPLY_DELTAS);
    Facts small = learnedSlowDelta().withChanges(List.of(new SourceChanges(A, 10, false)), 0);
    assertThat(decide(small.withVolume(estimated("estimated"))))
        .as("a batch 200 times smaller is predicted at 33 ms: applied, whatever the estimate")
        .isEqualTo(new Decision(Step.APPLY_DELTAS, RefreshAction.DIFFERENTIAL, null));
  }

  @Test
  void afterARecomputeTheLearnedCostsDecideBeforeTheFill() {
    Facts costly = learnedSlowDelta(1);
    assertThat(decide(costly).step()).as("a streak: count the batch first").isEqualTo(Step.COUNT_BATCH);
    assertThat(decide(costly.withBatch(List.of(new SourceChanges(A, 2_000, false)))).step()).isEqualTo(Step.READ_COST_SETTING);
    Decision before = decide(costly.withBatch(List.of(new SourceChanges(A, 2_000, false))).withCostBased(true));
    assertThat(before.action()).isEqualTo(RefreshAction.FULL);
    assertThat(before.reason()).startsWith("before filling the delta tables: 2000 changed rows");
    assertThat(decide(costly.withBatch(List.of(new SourceChanges(A, 2_000, false))).withCostBased(false)).step())
        .as("setting off: fill and apply").isEqualTo(Step.FILL_DELTAS);
    assertThat(decide(costly.withBatch(List.of(new SourceChanges(A, 10, false)))).step())
        .as("a small batch is filled and applied").isEqualTo(Step.FILL_DELTAS);
    assertThat(decide(costly.withBatch(List.of(new SourceChanges(A, 0, false), new SourceChanges(B, 0, false)))).step())
        .as("nothing to consume: the fill finds it out").isEqualTo(Step.FILL_DELTAS);
    assertThat(decide(learnedSlowDelta(0)).step())
        .as("no streak: no extra round trip").isEqualTo(Step.FILL_DELTAS);
    assertThat(decide(learnedSlowDelta(8)).step())
        .as("a probe is due: the delta is tried").isEqualTo(Step.FILL_DELTAS);
  }

  @Test
  void beforeAnythingIsLearnedARecomputeForCostAlsoMakesTheNextCountFirst() {
    RefreshCosts recomputedForCost =
        LearnedCost.after(RefreshCosts.NONE, RefreshAction.FULL, true, 0, 110);
    assertThat(recomputedForCost.costlyStreak()).isEqualTo(1);
    assertThat(LearnedCost.after(RefreshCosts.NONE, RefreshAction.FULL, false, 0, 110).costlyStreak())
        .as("a first population is no streak").isZero();
    Facts facts = Facts.read(Optional.empty(), true, true, RefreshMode.DIFFERENTIAL,
        Optional.empty(), true, recomputedForCost);
    assertThat(decide(facts).step()).isEqualTo(Step.COUNT_BATCH);
    Facts counted = facts.withBatch(List.of(new SourceChanges(A, 30_000, false)));
    assertThat(decide(counted).step()).as("not learned: weigh the counted batch")
        .isEqualTo(Step.WEIGH_VOLUME);
    Decision recompute = decide(counted.withVolume(estimated("estimated")).withCostBased(true));
    assertThat(recompute).isEqualTo(new Decision(
        Step.RECOMPUTE, RefreshAction.FULL, "before filling the delta tables: estimated"));
    Facts small = counted.withVolume(Volume.SMALL);
    assertThat(decide(small).step()).isEqualTo(Step.FILL_DELTAS);
    assertThat(decide(small.withChanges(List.of(new SourceChanges(A, 20_000, false)), 0)))
        .as("after the fill the volume weighed from the counts stands")
        .isEqualTo(new Decision(Step.APPLY_DELTAS, RefreshAction.DIFFERENTIAL, null));
  }

  @Test
  void nothingChangedIsNoDataAndATruncationRecomputes() {
    Facts unchanged =
        differential()
            .withChanges(List.of(new SourceChanges(A, 0, false), new SourceChanges(B, 0, false)), 0);
    assertThat(decide(unchanged)).isEqualTo(new Decision(Step.NOTHING, RefreshAction.NO_DATA, null));
    assertThat(decide(differential().withChanges(List.of(), 0))).isEqualTo(decide(unchanged));
    Facts truncated =
        differential()
            .withChanges(List.of(new SourceChanges(A, 0, true), new SourceChanges(B, 5, false)), 0);
    assertThat(decide(truncated))
        .isEqualTo(new Decision(Step.RECOMPUTE, RefreshAction.FULL, "source truncated"));
  }
}
