package dev.trickle.scheduler;

import static dev.trickle.scheduler.Nodes.node;
import static dev.trickle.scheduler.Nodes.reads;
import static dev.trickle.scheduler.Nodes.readsTable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.catalog.StreamTableStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Due-ness on a clock the test controls: durations, cron, calculated, back-off, diamonds. */
class RefreshPlannerTest {
  private static final Instant T0 = Instant.parse("2026-03-02T10:03:00Z");
  private final RefreshPlanner planner = new RefreshPlanner(ZoneOffset.UTC);
  private final UnitMemory memory = new UnitMemory();

  @Test
  void aDurationScheduleRefreshesAChangeAtOnceThenAtMostOncePerInterval() throws Exception {
    RefreshGraph g = graph(List.of(node(1, "1s", T0)), List.of(readsTable(1, 7)));
    RefreshPlan first = planner.plan(g, Set.of(1L), memory, T0);
    assertThat(ids(first)).containsExactly(List.of(1L));

    memory.refreshed(unit(g, 1), T0);
    RefreshPlan paced = planner.plan(g, Set.of(1L), memory, T0.plusMillis(400));
    assertThat(paced.isEmpty()).isTrue();
    assertThat(paced.nextWake()).isEqualTo(T0.plusSeconds(1));
    assertThat(ids(planner.plan(g, Set.of(1L), memory, T0.plusSeconds(1))))
        .containsExactly(List.of(1L));
  }

  @Test
  void aChangeToASourceOfAPacedChainIsDueWhenItsScheduledReaderMayRefresh() throws Exception {
    RefreshGraph g = chain("calculated", "calculated", "1s");
    assertThat(planner.plan(g, Set.of(), memory, T0).changeDueAt())
        .containsEntry(7L, T0)
        .containsEntry(Nodes.relid(1), T0);
    memory.refreshed(unit(g, 3), T0);
    RefreshPlan paced = planner.plan(g, Set.of(), memory, T0.plusMillis(300));
    assertThat(paced.changeDueAt())
        .containsEntry(7L, T0.plusSeconds(1))
        .containsEntry(Nodes.relid(2), T0.plusSeconds(1));
  }

  @Test
  void aDurationScheduleWithoutChangesIsNotRefreshedButConfirmedOnceStale() throws Exception {
    RefreshGraph g = graph(List.of(node(1, "5m", T0)), List.of(readsTable(1, 7)));
    RefreshPlan fresh = planner.plan(g, Set.of(), memory, T0.plusSeconds(60));
    assertThat(fresh.isEmpty()).isTrue();
    assertThat(fresh.confirmed()).isEmpty();
    RefreshPlan stale = planner.plan(g, Set.of(), memory, T0.plusSeconds(300));
    assertThat(stale.isEmpty()).isTrue();
    assertThat(stale.confirmed()).containsExactly(1L);
  }

  @Test
  void aCronScheduleIsDueAtItsNextTimeEvenWithoutChanges() throws Exception {
    RefreshGraph g = graph(List.of(node(1, "*/5 * * * *", T0)), List.of(readsTable(1, 7)));
    RefreshPlan before = planner.plan(g, Set.of(1L), memory, T0.plusSeconds(60));
    assertThat(before.isEmpty()).isTrue();
    assertThat(before.nextWake()).isEqualTo(Instant.parse("2026-03-02T10:05:00Z"));
    assertThat(ids(planner.plan(g, Set.of(), memory, Instant.parse("2026-03-02T10:05:00Z"))))
        .containsExactly(List.of(1L));
  }

  @Test
  void cronWithSecondsAndShorthands() throws Exception {
    RefreshGraph seconds =
        graph(List.of(node(1, "*/10 * * * * *", T0)), List.of(readsTable(1, 7)));
    assertThat(planner.plan(seconds, Set.of(), memory, T0.plusSeconds(9)).isEmpty()).isTrue();
    assertThat(planner.plan(seconds, Set.of(), memory, T0.plusSeconds(10)).isEmpty()).isFalse();
    RefreshGraph hourly = graph(List.of(node(1, "@hourly", T0)), List.of(readsTable(1, 7)));
    assertThat(planner.plan(hourly, Set.of(), memory, T0.plusSeconds(56 * 60)).isEmpty()).isTrue();
    assertThat(planner.plan(hourly, Set.of(), memory, T0.plusSeconds(57 * 60)).isEmpty())
        .isFalse();
  }

  @Test
  void aChangeAtTheBottomOfACalculatedChainReachesTheScheduledTopInOnePass() throws Exception {
    RefreshGraph g = chain("calculated", "calculated", "1s");
    assertThat(ids(planner.plan(g, Set.of(1L), memory, T0)))
        .containsExactly(List.of(1L), List.of(2L), List.of(3L));
    assertThat(ids(planner.plan(g, Set.of(2L), memory, T0)))
        .containsExactly(List.of(2L), List.of(3L));
    assertThat(ids(planner.plan(g, Set.of(3L), memory, T0))).containsExactly(List.of(3L));
  }

  @Test
  void calculatedTablesFollowThePaceOfTheirScheduledReader() throws Exception {
    RefreshGraph g = chain("calculated", "calculated", "1s");
    memory.refreshed(unit(g, 3), T0);
    RefreshPlan paced = planner.plan(g, Set.of(1L), memory, T0.plusMillis(500));
    assertThat(paced.isEmpty()).isTrue();
    assertThat(paced.nextWake()).isEqualTo(T0.plusSeconds(1));
    assertThat(ids(planner.plan(g, Set.of(1L), memory, T0.plusSeconds(1)))).hasSize(3);
  }

  @Test
  void calculatedTablesWithoutAScheduledReaderWaitForAManualRefresh() throws Exception {
    RefreshGraph g = chain("1s", "calculated", "calculated");
    assertThat(ids(planner.plan(g, Set.of(1L), memory, T0))).containsExactly(List.of(1L));
    assertThat(planner.plan(g, Set.of(2L, 3L), memory, T0).isEmpty()).isTrue();
  }

  @Test
  void aScheduledUpstreamThatIsNotDueDoesNotMakeItsReaderDue() throws Exception {
    RefreshGraph g = chain("1m", "1s", "calculated");
    memory.refreshed(unit(g, 1), T0);
    assertThat(planner.plan(g, Set.of(1L), memory, T0.plusSeconds(5)).isEmpty()).isTrue();
  }

  @Test
  void anUnpopulatedTableIsDueWhateverItsSchedule() throws Exception {
    RefreshGraph g =
        graph(List.of(Nodes.unpopulated(node(1, "calculated", null))), List.of(readsTable(1, 7)));
    assertThat(ids(planner.plan(g, Set.of(), memory, T0))).containsExactly(List.of(1L));
  }

  @Test
  void aSourceWhoseChangesCannotBeCapturedIsRefreshedOnSchedule() throws Exception {
    RefreshGraph g =
        graph(List.of(Nodes.uncapturable(node(1, "10s", T0))), List.of(readsTable(1, 7)));
    memory.refreshed(unit(g, 1), T0);
    assertThat(planner.plan(g, Set.of(), memory, T0.plusSeconds(5)).isEmpty()).isTrue();
    assertThat(ids(planner.plan(g, Set.of(), memory, T0.plusSeconds(10))))
        .containsExactly(List.of(1L));
  }

  @Test
  void aFailedUnitBacksOffBeforeItIsRetried() throws Exception {
    RefreshGraph g = graph(List.of(node(1, "1s", T0)), List.of(readsTable(1, 7)));
    memory.failed(unit(g, 1), T0, Duration.ofSeconds(1));
    memory.failed(unit(g, 1), T0, Duration.ofSeconds(1));
    RefreshPlan waiting = planner.plan(g, Set.of(1L), memory, T0.plusMillis(1500));
    assertThat(waiting.isEmpty()).isTrue();
    assertThat(waiting.nextWake()).isEqualTo(T0.plusSeconds(2));
    assertThat(planner.plan(g, Set.of(1L), memory, T0.plusSeconds(2)).isEmpty()).isFalse();
  }

  @Test
  void suspendedAndErrorTablesAreLeftAlone() throws Exception {
    RefreshGraph g =
        graph(
            List.of(
                Nodes.withStatus(node(1, "1s", T0), StreamTableStatus.SUSPENDED),
                Nodes.withStatus(node(2, "1s", T0), StreamTableStatus.ERROR)),
            List.of(readsTable(1, 7), readsTable(2, 7)));
    assertThat(planner.plan(g, Set.of(1L, 2L), memory, T0).isEmpty()).isTrue();
  }

  @Test
  void aDiamondRefreshesAsOneUnitWhenItsFastestMemberIsDue() throws Exception {
    RefreshGraph g = diamond(node(2, "1s", T0), node(3, "1m", T0), node(4, "calculated", T0));
    memory.refreshed(g.units().get(0), T0);
    assertThat(planner.plan(g, Set.of(2L, 3L), memory, T0.plusMillis(500)).isEmpty()).isTrue();
    assertThat(ids(planner.plan(g, Set.of(2L, 3L), memory, T0.plusSeconds(1))))
        .containsExactly(List.of(2L, 3L, 4L));
  }

  @Test
  void aSlowestDiamondWaitsForItsSlowestMember() throws Exception {
    RefreshGraph g =
        diamond(node(2, "1s", T0), node(3, "1m", T0), Nodes.slowest(node(4, "calculated", T0)));
    memory.refreshed(g.units().get(0), T0);
    assertThat(planner.plan(g, Set.of(2L, 3L), memory, T0.plusSeconds(1)).isEmpty()).isTrue();
    assertThat(ids(planner.plan(g, Set.of(2L, 3L), memory, T0.plusSeconds(60))))
        .containsExactly(List.of(2L, 3L, 4L));
  }

  @Test
  void confirmationNeedsEveryUpstreamTableCurrent() throws Exception {
    RefreshGraph g = chain("calculated", "calculated", "10s");
    memory.refreshed(unit(g, 3), T0.plusSeconds(10));
    RefreshPlan clean = planner.plan(g, Set.of(), memory, T0.plusSeconds(10));
    assertThat(clean.confirmed()).containsExactlyInAnyOrder(1L, 2L, 3L);
    RefreshPlan dirty = planner.plan(g, Set.of(2L), memory, T0.plusSeconds(11));
    assertThat(dirty.confirmed()).containsExactly(1L);
  }

  private static RefreshGraph chain(String s1, String s2, String s3) throws Exception {
    return graph(
        List.of(node(1, s1, T0), node(2, s2, T0), node(3, s3, T0)),
        List.of(readsTable(1, 7), reads(2, 1), reads(3, 2)));
  }

  /** Base table 7 read by 2 and 3, both read by 4. */
  private static RefreshGraph diamond(
      StreamTableNode b, StreamTableNode c, StreamTableNode d) {
    return graph(
        List.of(b, c, d),
        List.of(readsTable(2, 7), readsTable(3, 7), reads(4, 2), reads(4, 3)));
  }

  private static RefreshGraph graph(List<StreamTableNode> nodes, List<SourceEdge> edges) {
    return RefreshGraph.build(nodes, edges);
  }

  private static RefreshUnit unit(RefreshGraph g, long id) {
    return g.units().stream()
        .filter(u -> u.members().stream().anyMatch(m -> m.pgtId() == id))
        .findFirst()
        .orElseThrow();
  }

  private static List<List<Long>> ids(RefreshPlan plan) {
    return plan.units().stream()
        .map(u -> u.members().stream().map(StreamTableNode::pgtId).toList())
        .toList();
  }
}
