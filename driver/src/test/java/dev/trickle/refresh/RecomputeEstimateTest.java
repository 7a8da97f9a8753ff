package dev.trickle.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The estimate that turns one large differential refresh into a recomputation (pure). */
class RecomputeEstimateTest {
  private static RecomputeEstimate.Source source(String name, long changed, long rows) {
    return new RecomputeEstimate.Source(name, changed, rows);
  }

  @Test
  void aSmallBatchIsNeverRecomputedAndNeedsNoSizes() {
    List<SourceChanges> small = List.of(new SourceChanges(1, RecomputeEstimate.MIN_CHANGED_ROWS - 1, false));
    assertThat(RecomputeEstimate.worthAsking(small)).isFalse();
    RecomputeEstimate.Decision d = RecomputeEstimate.decide(
        List.of(source("t", RecomputeEstimate.MIN_CHANGED_ROWS - 1, 1_000)), 8);
    assertThat(d.recompute()).as("below the minimum even against a tiny source").isFalse();
    assertThat(d.reason()).isNull();
  }

  @Test
  void aLargeBatchIsAskedAbout() {
    assertThat(RecomputeEstimate.worthAsking(List.of(
        new SourceChanges(1, RecomputeEstimate.MIN_CHANGED_ROWS / 2, false),
        new SourceChanges(2, RecomputeEstimate.MIN_CHANGED_ROWS / 2, false)))).isTrue();
  }

  @Test
  void aFewThousandChangesInMillionsOfRowsStayDifferential() {
    RecomputeEstimate.Decision d = RecomputeEstimate.decide(
        List.of(source("lineitem", 25_000, 6_000_000), source("orders", 6_000, 1_500_000),
            source("customer", 300, 150_000)), 3);
    assertThat(d.recompute()).isFalse();
    assertThat(d.deltaMillis()).isLessThan(d.recomputeMillis());
  }

  @Test
  void aBatchThatIsALargeShareOfAManyWayJoinIsRecomputedWithTheEstimatesInTheReason() {
    RecomputeEstimate.Decision d = RecomputeEstimate.decide(
        List.of(source("fact", 12_000, 20_000), source("dim_a", 0, 100), source("dim_b", 0, 100),
            source("dim_c", 0, 100)), 4);
    assertThat(d.recompute()).isTrue();
    assertThat(d.reason())
        .contains("12000 changed rows through 4 inputs")
        .contains("20300 source rows");
  }

  @Test
  void moreInputsMakeTheSameBatchCostlierToApply() {
    List<RecomputeEstimate.Source> sources = List.of(source("t", 20_000, 600_000));
    RecomputeEstimate.Decision two = RecomputeEstimate.decide(sources, 2);
    RecomputeEstimate.Decision eight = RecomputeEstimate.decide(sources, 8);
    assertThat(eight.deltaMillis()).isEqualTo(two.deltaMillis() * 4);
    assertThat(eight.recomputeMillis()).isEqualTo(two.recomputeMillis());
  }

  @Test
  void unknownSizesNeverRecompute() {
    RecomputeEstimate.Decision d = RecomputeEstimate.decide(List.of(source("t", 50_000, 0)), 4);
    assertThat(d.recompute()).isFalse();
  }
}
