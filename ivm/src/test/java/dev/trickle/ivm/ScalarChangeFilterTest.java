package dev.trickle.ivm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The terms that read an uncorrelated scalar subquery's change keep only the rows whose WHERE
 * conjuncts over its value hold for one of the old and the new value and not the other; where the
 * value is read elsewhere, or the subquery is correlated, the terms stay whole.
 */
class ScalarChangeFilterTest {
  private static final String SCALAR_DELTA = "CROSS JOIN pg_temp.\"__pgt_ddelta_";
  private static final String NARROWING = "(EXISTS (SELECT 1 FROM pg_temp.\"__pgt_ddelta_";

  private static String refreshSql(String query, String... columns) throws Exception {
    MaintenancePlan plan = new DeltaCompiler(new FakeCatalog(), s -> { })
        .compile(query, new StorageNames("public", "st", List.of(columns), "pgtrickle", "state", "1"));
    return new StepPrinter(new LoopLimit("public.st")).explain(plan.refresh(plan.sourceOids()));
  }

  /** The SELECTs of the statement's UNION ALL that read a scalar subquery's delta. */
  private static List<String> scalarDeltaTerms(String sql) {
    return Arrays.stream(sql.split(" UNION ALL "))
        .filter(t -> t.matches("(?s).*" + java.util.regex.Pattern.quote(SCALAR_DELTA)
            + "[0-9_]+\" AS \"__pgt_sq[0-9]+\".*"))
        .toList();
  }

  /** TPC-H Q22's shape: a filter by an average, a NOT EXISTS, grouped by a derived column. */
  @Test
  void everyTermReadingTheChangeOfTheAverageIsNarrowed() throws Exception {
    String sql = refreshSql("SELECT tag, count(*) AS n, sum(salary) AS total FROM (SELECT tag, salary"
        + " FROM emp WHERE tag IN ('a', 'b') AND salary > (SELECT avg(salary) FROM emp WHERE salary > 0"
        + " AND tag IN ('a', 'b')) AND NOT EXISTS (SELECT 1 FROM dept d WHERE d.id = emp.dept_id)) AS s"
        + " GROUP BY tag", "tag", "n", "total");
    List<String> terms = scalarDeltaTerms(sql);
    assertThat(terms).as("alone, with emp's change, and in the semi-join's two terms").hasSize(4);
    assertThat(terms).allSatisfy(t -> assertThat(t).contains(NARROWING).contains(
        "COALESCE((salary > (SELECT \"__pgt_old\".\"__pgt_v\" FROM pg_temp.\"__pgt_ddelta_1_2\" AS"
            + " \"__pgt_old\" WHERE \"__pgt_old\".\"__pgt_w\" < 0)), false)) <> (EXISTS (SELECT 1 FROM"
            + " pg_temp.\"__pgt_ddelta_1_2\" AS \"__pgt_new\" WHERE \"__pgt_new\".\"__pgt_w\" > 0) AND"
            + " COALESCE((salary > (SELECT \"__pgt_new\".\"__pgt_v\""));
  }

  @Test
  void severalConjunctsAndAnOrAreSubstitutedTogether() throws Exception {
    String sql = refreshSql("SELECT e.id FROM emp e WHERE (e.salary > (SELECT avg(salary) FROM emp)"
        + " OR e.tag = 'x') AND e.id < 2 * (SELECT avg(salary) FROM emp) AND e.dept_id = 1", "id");
    List<String> terms = scalarDeltaTerms(sql);
    assertThat(terms).isNotEmpty().allSatisfy(t -> assertThat(t).contains(
        "COALESCE(((e.salary > (SELECT \"__pgt_old\".\"__pgt_v\" FROM pg_temp.\"__pgt_ddelta_1_1\" AS"
            + " \"__pgt_old\" WHERE \"__pgt_old\".\"__pgt_w\" < 0) OR e.tag = 'x')) AND (e.id < 2 *"
            + " (SELECT \"__pgt_old\".\"__pgt_v\"")
        .as("a conjunct that does not read the value is not repeated")
        .doesNotContain("(e.dept_id = 1), false)"));
  }

  @Test
  void aValueInTheSelectListKeepsTheTermsWhole() throws Exception {
    String sql = refreshSql("SELECT e.id, e.salary - (SELECT avg(salary) FROM emp) AS above FROM emp e"
        + " WHERE e.salary > (SELECT avg(salary) FROM emp)", "id", "above");
    assertThat(scalarDeltaTerms(sql)).isNotEmpty().noneSatisfy(t -> assertThat(t).contains(NARROWING));
  }

  @Test
  void aValueInTheGroupingKeepsTheTermsWhole() throws Exception {
    String sql = refreshSql("SELECT e.salary > (SELECT avg(salary) FROM emp) AS above, count(*) AS n"
        + " FROM emp e GROUP BY 1", "above", "n");
    assertThat(scalarDeltaTerms(sql)).isNotEmpty().noneSatisfy(t -> assertThat(t).contains(NARROWING));
  }

  @Test
  void aGroupingBlockFilteredByTheValueIsNarrowed() throws Exception {
    String sql = refreshSql("SELECT e.dept_id, count(*) AS n FROM emp e WHERE e.salary >="
        + " (SELECT avg(salary) FROM emp) GROUP BY e.dept_id", "dept_id", "n");
    assertThat(scalarDeltaTerms(sql)).isNotEmpty().allSatisfy(t -> assertThat(t).contains(NARROWING));
  }

  /**
   * Narrowing by two scalar deltas in one term would drop rows whose weights do not sum to zero,
   * so a term reading both is narrowed by the first only.
   */
  @Test
  void aTermReadingTwoScalarDeltasIsNarrowedByOne() throws Exception {
    String sql = refreshSql("SELECT e.id FROM emp e WHERE e.salary > (SELECT avg(salary) FROM emp)"
        + " AND e.id < (SELECT max(id) FROM dept)", "id");
    List<String> both = scalarDeltaTerms(sql).stream()
        .filter(t -> t.contains("AS \"__pgt_sq1\" CROSS JOIN pg_temp.\"__pgt_ddelta_"))
        .toList();
    assertThat(both).isNotEmpty().allSatisfy(t -> assertThat(t.split(java.util.regex.Pattern.quote(NARROWING),
        -1)).as("one narrowing: its old side and its new side").hasSize(3));
  }

  @Test
  void aCorrelatedScalarSubqueryIsNotNarrowed() throws Exception {
    String sql = refreshSql("SELECT e.id FROM emp e WHERE e.salary > (SELECT avg(x.salary) FROM emp x"
        + " WHERE x.dept_id = e.dept_id)", "id");
    assertThat(sql).doesNotContain(NARROWING);
  }
}
