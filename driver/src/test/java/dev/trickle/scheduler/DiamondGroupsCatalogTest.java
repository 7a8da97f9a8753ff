package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static dev.trickle.scheduler.SchedulerHarness.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * pgtrickle.diamond_groups() (what users see) and the scheduler's {@link DiamondGroups} (what it
 * refreshes together) agree, on a graph with a shared stream table, a shared base table, a direct
 * path and a convergence point with consistency 'none'.
 */
class DiamondGroupsCatalogTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void theMonitoringFunctionListsTheGroupsTheSchedulerUses() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler())) {
      execute(
          c,
          "CREATE EXTENSION pg_trickle",
          "CREATE TABLE t (id int PRIMARY KEY, v int)",
          "CREATE TABLE u (id int PRIMARY KEY, w int)",
          "SELECT pgtrickle.create_stream_table('a', 'SELECT id, v FROM t')",
          "SELECT pgtrickle.create_stream_table('b', 'SELECT id, v + 1 AS v FROM a')",
          "SELECT pgtrickle.create_stream_table('c', 'SELECT id, v * 2 AS v FROM a')",
          "SELECT pgtrickle.create_stream_table('d',"
              + " 'SELECT b.id, b.v AS bv, c.v AS cv FROM b JOIN c USING (id)', '1s')",
          "SELECT pgtrickle.create_stream_table('e',"
              + " 'SELECT t.id, a.v FROM t JOIN a USING (id)', '1s',"
              + " diamond_schedule_policy => 'slowest')",
          "SELECT pgtrickle.create_stream_table('f',"
              + " 'SELECT u.id, a.v FROM u JOIN a USING (id)', '1s')",
          "SELECT pgtrickle.create_stream_table('g',"
              + " 'SELECT b.id FROM b JOIN c USING (id)', '1s', diamond_consistency => 'none')");

      Map<String, Set<String>> fromSql = new TreeMap<>();
      List<List<String>> pairs =
          rows(
              c,
              "SELECT g.member_name, c.member_name FROM pgtrickle.diamond_groups() g"
                  + " JOIN pgtrickle.diamond_groups() c USING (group_id) WHERE c.is_convergence");
      for (List<String> row : pairs) {
        fromSql.computeIfAbsent(row.get(1), k -> new TreeSet<>()).add(row.get(0));
      }
      assertThat(fromSql)
          .isEqualTo(
              Map.of(
                  "public.d", Set.of("public.a", "public.b", "public.c", "public.d"),
                  "public.e", Set.of("public.a", "public.e")));
      assertThat(rows(c, "SELECT DISTINCT schedule_policy FROM pgtrickle.diamond_groups()"
              + " WHERE member_name = 'public.e'"))
          .containsExactly(List.of("slowest"));

      SchedulerCatalog.State state = new SchedulerCatalog().read(c);
      Map<Long, String> names =
          state.nodes().stream()
              .collect(Collectors.toMap(StreamTableNode::pgtId, StreamTableNode::name));
      Map<String, Set<String>> fromJava = new TreeMap<>();
      for (DiamondGroups.Group group : DiamondGroups.find(state.nodes(), state.edges())) {
        fromJava.put(
            names.get(group.convergence()),
            group.members().stream()
                .map(names::get)
                .collect(Collectors.toCollection(TreeSet::new)));
      }
      assertThat(fromJava).isEqualTo(fromSql);
    }
  }
}
