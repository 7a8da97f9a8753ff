package dev.trickle.ivm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A semi-join's equality keys: the plan asks for the delta lookups they make (an index on the
 * delta table) and restricts the term for the subquery's changes by the changed keys; a semi-join
 * without an equality to an outer column (NOT IN's null-matching condition where either side may be
 * NULL, OR, inequalities) has neither.
 */
class SemiJoinKeysTest {
  private static final long EMP = 102;
  private static final long DEPT = 101;

  private static MaintenancePlan compile(String query) throws Exception {
    return new DeltaCompiler(new FakeCatalog(), s -> { })
        .compile(query, new StorageNames("public", "st", List.of("id"), "pgtrickle", "state", "1"));
  }

  private static String refreshSql(MaintenancePlan plan) {
    return new StepPrinter(new LoopLimit("public.st")).explain(plan.refresh(plan.sourceOids()));
  }

  @Test
  void existsWithAnEqualityAndAnInequalityLooksUpTheEqualityColumn() throws Exception {
    MaintenancePlan plan = compile("SELECT e.id FROM emp e WHERE EXISTS (SELECT 1 FROM emp e2"
        + " WHERE e2.dept_id = e.dept_id AND e2.id <> e.id)");
    assertThat(plan.deltaLookups()).isEqualTo(Map.of(EMP, Set.of(List.of("dept_id"))));
    assertThat(refreshSql(plan))
        .contains("e.dept_id IN (SELECT \"__pgt_sj\".\"dept_id\" FROM pg_temp.\"__pgt_delta_102\""
            + " AS \"__pgt_sj\")");
  }

  @Test
  void theKeyMayBeWrittenOuterSideFirstAndSpanSeveralColumns() throws Exception {
    MaintenancePlan plan = compile("SELECT d.id FROM dept d WHERE EXISTS (SELECT 1 FROM emp x"
        + " WHERE d.id = x.dept_id AND x.tag = d.name AND x.salary > 10)");
    assertThat(plan.deltaLookups()).isEqualTo(Map.of(EMP, Set.of(List.of("dept_id", "tag"))));
    assertThat(refreshSql(plan))
        .contains("(d.id, d.name) IN (SELECT \"__pgt_sj\".\"dept_id\", \"__pgt_sj\".\"tag\" FROM"
            + " pg_temp.\"__pgt_delta_102\" AS \"__pgt_sj\")");
  }

  @Test
  void inIsKeyedByItsSubqueryColumn() throws Exception {
    MaintenancePlan plan =
        compile("SELECT d.id FROM dept d WHERE d.id IN (SELECT dept_id FROM emp WHERE salary > 10)");
    assertThat(plan.deltaLookups()).isEqualTo(Map.of(EMP, Set.of(List.of("dept_id"))));
  }

  /**
   * A key that is the outer table's whole primary key, read in its current state, is handed over as
   * an array of the changed keys, which PostgreSQL probes through the key's index; where the outer
   * table is a delta (no index), or the key is another column, it stays {@code IN (SELECT ...)}.
   */
  @Test
  void aPrimaryKeyIsProbedWithTheArrayOfChangedKeys() throws Exception {
    String sql = refreshSql(
        compile("SELECT d.id FROM dept d WHERE d.id IN (SELECT dept_id FROM emp WHERE salary > 10)"));
    assertThat(sql)
        .contains("d.id = ANY (ARRAY(SELECT DISTINCT \"__pgt_sj\".\"dept_id\" FROM"
            + " pg_temp.\"__pgt_delta_102\" AS \"__pgt_sj\"))")
        .as("the term for both tables' changes reads dept's delta, which has no index")
        .contains("d.id IN (SELECT \"__pgt_sj\".\"dept_id\" FROM pg_temp.\"__pgt_delta_102\"");
  }

  @Test
  void notInMatchesNullsSoItHasNoKey() throws Exception {
    MaintenancePlan plan = compile("SELECT d.id FROM dept d WHERE d.id NOT IN (SELECT dept_id FROM emp)");
    assertThat(plan.deltaLookups()).isEmpty();
    assertThat(refreshSql(plan)).doesNotContain(" IN (SELECT \"__pgt_sj\"");
  }

  @Test
  void notInBetweenColumnsThatCannotBeNullIsAPlainEqualityWithAKey() throws Exception {
    MaintenancePlan plan = compile("SELECT e.id FROM emp e WHERE e.id NOT IN (SELECT d.id FROM dept d)");
    assertThat(plan.deltaLookups()).isEqualTo(Map.of(DEPT, Set.of(List.of("id"))));
    assertThat(refreshSql(plan)).doesNotContain("IS NULL OR")
        .as("tested as NOT EXISTS, which PostgreSQL plans as an anti join")
        .doesNotContain("NOT IN (SELECT").contains("NOT EXISTS (SELECT 1 FROM \"public\".\"dept\"");
    MaintenancePlan nullable =
        compile("SELECT e.id FROM emp e WHERE e.dept_id NOT IN (SELECT d.id FROM dept d)");
    assertThat(nullable.deltaLookups()).isEmpty();
    assertThat(refreshSql(nullable)).as("emp.dept_id may be NULL").contains("IS NULL OR")
        .contains("NOT IN (SELECT d.id FROM dept d)");
  }

  @Test
  void anEqualityUnderOrOrBetweenInnerColumnsIsNoKey() throws Exception {
    assertThat(compile("SELECT d.id FROM dept d WHERE EXISTS (SELECT 1 FROM emp x"
        + " WHERE x.dept_id = d.id OR x.salary > 10)").deltaLookups()).isEmpty();
    assertThat(compile("SELECT d.id FROM dept d WHERE EXISTS (SELECT 1 FROM emp x"
        + " WHERE x.dept_id = x.id)").deltaLookups()).isEmpty();
  }

  @Test
  void aJoinWithoutSemiJoinsLooksUpNothing() throws Exception {
    MaintenancePlan plan = compile("SELECT e.id FROM emp e JOIN dept d ON d.id = e.dept_id");
    assertThat(plan.deltaLookups()).isEmpty();
    assertThat(plan.sourceOids()).containsExactlyInAnyOrder(EMP, DEPT);
  }
}
