package dev.trickle.scheduler;

import static dev.trickle.scheduler.Nodes.node;
import static dev.trickle.scheduler.Nodes.reads;
import static dev.trickle.scheduler.Nodes.readsTable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.catalog.StreamTableStatus;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Diamond detection, unit contraction, topological order and depths. */
class RefreshGraphTest {
  private static final Instant T = Instant.parse("2026-03-02T10:00:00Z");

  @Test
  void twoPathsFromABaseTableMeetingAgainFormAGroup() throws Exception {
    List<StreamTableNode> nodes = List.of(node(2, "1s", T), node(3, "1s", T), node(4, "1s", T));
    List<SourceEdge> edges =
        List.of(readsTable(2, 7), readsTable(3, 7), reads(4, 2), reads(4, 3));
    assertThat(DiamondGroups.find(nodes, edges))
        .containsExactly(new DiamondGroups.Group(4, Set.of(2L, 3L, 4L)));
    RefreshGraph g = RefreshGraph.build(nodes, edges);
    assertThat(g.units()).hasSize(1);
    assertThat(g.units().get(0).members()).extracting(StreamTableNode::pgtId)
        .containsExactly(2L, 3L, 4L);
  }

  @Test
  void aSharedStreamTableIsAMemberAndADirectPathCounts() throws Exception {
    // 1 reads table 7; 2 reads 1; 4 reads 1 and 2: paths 1→4 and 1→2→4 meet in 4
    List<StreamTableNode> nodes = List.of(node(1, "1s", T), node(2, "1s", T), node(4, "1s", T));
    List<SourceEdge> edges = List.of(readsTable(1, 7), reads(2, 1), reads(4, 1), reads(4, 2));
    assertThat(DiamondGroups.find(nodes, edges))
        .containsExactly(new DiamondGroups.Group(4, Set.of(1L, 2L, 4L)));
  }

  @Test
  void noDiamondWithoutASharedSourceOrWithConsistencyNone() throws Exception {
    List<SourceEdge> edges =
        List.of(readsTable(2, 7), readsTable(3, 8), reads(4, 2), reads(4, 3));
    List<StreamTableNode> nodes = List.of(node(2, "1s", T), node(3, "1s", T), node(4, "1s", T));
    assertThat(DiamondGroups.find(nodes, edges)).isEmpty();
    List<SourceEdge> shared =
        List.of(readsTable(2, 7), readsTable(3, 7), reads(4, 2), reads(4, 3));
    List<StreamTableNode> none =
        List.of(node(2, "1s", T), node(3, "1s", T), Nodes.noDiamonds(node(4, "1s", T)));
    assertThat(DiamondGroups.find(none, shared)).isEmpty();
    assertThat(RefreshGraph.build(none, shared).units()).hasSize(3);
  }

  @Test
  void overlappingDiamondsMergeIntoOneUnitInTopologicalOrder() throws Exception {
    // 2,3 read table 7 and meet in 4; 5,6 read 4 and meet in 8
    List<StreamTableNode> nodes =
        List.of(
            node(8, "1s", T), node(6, "1s", T), node(5, "1s", T), node(4, "1s", T),
            node(3, "1s", T), node(2, "1s", T));
    List<SourceEdge> edges =
        List.of(
            readsTable(2, 7), readsTable(3, 7), reads(4, 2), reads(4, 3), reads(5, 4),
            reads(6, 4), reads(8, 5), reads(8, 6));
    RefreshGraph g = RefreshGraph.build(nodes, edges);
    assertThat(g.units()).hasSize(1);
    List<Long> order = g.units().get(0).members().stream().map(StreamTableNode::pgtId).toList();
    assertThat(order.indexOf(4L)).isGreaterThan(order.indexOf(2L)).isGreaterThan(order.indexOf(3L));
    assertThat(order.indexOf(8L)).isGreaterThan(order.indexOf(5L)).isGreaterThan(order.indexOf(6L));
  }

  @Test
  void independentTablesShareADepthAndReadersComeAfterTheirSources() throws Exception {
    List<StreamTableNode> nodes =
        List.of(node(3, "1s", T), node(1, "1s", T), node(2, "1s", T), node(4, "1s", T));
    List<SourceEdge> edges =
        List.of(readsTable(1, 7), readsTable(2, 8), reads(3, 1), readsTable(4, 9));
    RefreshGraph g = RefreshGraph.build(nodes, edges);
    assertThat(g.units()).hasSize(4);
    for (RefreshUnit u : g.units()) {
      long id = u.members().get(0).pgtId();
      assertThat(g.depth(u)).as("depth of " + id).isEqualTo(id == 3 ? 1 : 0);
    }
    List<Long> order = g.units().stream().map(u -> u.members().get(0).pgtId()).toList();
    assertThat(order.indexOf(3L)).isGreaterThan(order.indexOf(1L));
  }

  @Test
  void tablesThatAreNotRefreshableAreNotUnitsAndCutTheirReadersLoose() throws Exception {
    List<StreamTableNode> nodes =
        List.of(
            node(1, "1s", T),
            Nodes.withStatus(node(2, "1s", T), StreamTableStatus.SUSPENDED),
            node(3, "1s", T));
    List<SourceEdge> edges = List.of(readsTable(1, 7), reads(2, 1), reads(3, 2));
    RefreshGraph g = RefreshGraph.build(nodes, edges);
    assertThat(g.units()).extracting(u -> u.members().get(0).pgtId()).containsExactly(1L, 3L);
    assertThat(g.units()).allMatch(u -> g.depth(u) == 0);
  }
}
