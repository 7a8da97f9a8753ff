package dev.trickle.ivm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which plans offer the storage's rows read from their state ({@link
 * MaintenancePlan#storageFromState}), for a recompute that rebuilds the state first: those whose
 * whole output is in state (a root aggregate, a top-k over an aggregate) and no other. That the
 * rows equal the query's is the driver's oracle test ({@code RecomputeFromStateOracleTest}).
 */
class StorageFromStateTest {
  private static MaintenancePlan compile(String query, String... columns) throws Exception {
    return new DeltaCompiler(new FakeCatalog(), s -> { })
        .compile(query, new StorageNames("public", "st", List.of(columns), "pgtrickle", "state", "1"));
  }

  @Test
  void aGroupedAggregateReadsItsStateThroughTheProjectionAndHaving() throws Exception {
    MaintenancePlan plan = compile("SELECT dept_id, count(*) AS n, sum(salary) AS s FROM emp"
        + " GROUP BY dept_id HAVING count(*) > 1", "dept_id", "n", "s");
    assertThat(plan.storageFromState()).hasValueSatisfying(sql -> assertThat(sql)
        .startsWith("SELECT ")
        .contains(" FROM \"pgtrickle\".\"state\" AS s WHERE ")
        .doesNotContain("emp"));
  }

  @Test
  void anAggregateWithoutGroupByReadsItsOneStateRow() throws Exception {
    MaintenancePlan plan = compile("SELECT count(*) AS n, max(salary) AS m FROM emp", "n", "m");
    assertThat(plan.storageFromState()).hasValueSatisfying(sql -> assertThat(sql)
        .contains(" FROM \"pgtrickle\".\"state\" AS s")
        .doesNotContain("emp"));
  }

  @Test
  void aTopOfAnAggregateOrdersAndLimitsTheAggregatesState() throws Exception {
    MaintenancePlan plan = compile("SELECT dept_id, sum(salary) AS s FROM emp GROUP BY dept_id"
        + " ORDER BY s DESC, dept_id LIMIT 3", "dept_id", "s");
    assertThat(plan.storageFromState()).hasValueSatisfying(sql -> assertThat(sql)
        .contains("\"state_d1\"")
        .contains(" ORDER BY ")
        .endsWith("LIMIT 3")
        .doesNotContain("emp"));
  }

  @Test
  void plansWhoseOutputIsNotAllInStateOfferNothing() throws Exception {
    assertThat(compile("SELECT e.id FROM emp e JOIN dept d ON d.id = e.dept_id", "id")
        .storageFromState()).isEmpty();
    assertThat(compile("SELECT id, salary FROM emp ORDER BY salary DESC, id LIMIT 3", "id", "salary")
        .storageFromState()).isEmpty();
  }
}
