package dev.trickle.immediate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.ivm.LoopLimit;
import dev.trickle.ivm.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How plan steps are printed into a trigger body: the statement's own maintenance as static SQL
 * (planned once per session) over session work tables, the rare multi-source maintenance as
 * {@code EXECUTE} over tables of the transaction, and never a {@code DROP TABLE IF EXISTS}, whose
 * NOTICE would reach the writer's client.
 */
class TriggerStepsTest {
  private static final Step FILL =
      new Step("SELECT k, sum(w) AS w FROM pg_temp.\"__pgt_delta_1\" GROUP BY k", Step.Counts.NONE,
          List.of(), "pg_temp.\"__pgt_d_7\"");
  private static final Step APPLY =
      new Step("UPDATE s SET n = s.n + d.w FROM pg_temp.\"__pgt_d_7\" d WHERE s.k = d.k",
          Step.Counts.NONE);
  private static final Step LOOP =
      new Step("SELECT EXISTS (SELECT 1 FROM pg_temp.\"__pgt_d_7\")", Step.Counts.NONE,
          List.of(FILL, APPLY), null);
  private static final LoopLimit LIMIT = new LoopLimit("public.s");

  @Test
  void plannedStepsAreStaticStatementsOverKeptTables() {
    StringBuilder body = new StringBuilder();
    TriggerSteps.planned(body, List.of(FILL, APPLY), "  ", LIMIT);
    assertThat(body.toString())
        .isEqualTo("  DELETE FROM pg_temp.\"__pgt_d_7\";\n"
            + "  INSERT INTO pg_temp.\"__pgt_d_7\" " + FILL.sql() + ";\n"
            + "  " + APPLY.sql() + ";\n");
  }

  @Test
  void plannedLoopsEvaluateTheirConditionWithoutExecuteAndFailPastTheLimit() {
    StringBuilder body = new StringBuilder();
    TriggerSteps.planned(body, List.of(LOOP), "", LIMIT);
    assertThat(body.toString())
        .doesNotContain("EXECUTE")
        .contains("LOOP\n", "__pgt_more := (" + LOOP.sql() + ");\n",
            "EXIT WHEN NOT __pgt_more;\n", LIMIT.plpgsqlCheck("__pgt_iterations") + "\n",
            "END LOOP;\n");
  }

  @Test
  void transactionScopedStepsCreateTheirTablesForTheTransactionWithoutNotices() {
    StringBuilder body = new StringBuilder();
    TriggerSteps.transactionScoped(body, List.of(FILL, APPLY), "", LIMIT);
    assertThat(body.toString())
        .doesNotContain("IF EXISTS")
        .contains("IF pg_catalog.to_regclass('pg_temp.\"__pgt_d_7\"') IS NOT NULL THEN\n"
            + "  DROP TABLE pg_temp.\"__pgt_d_7\";\nEND IF;\n")
        .contains("EXECUTE 'CREATE TEMP TABLE pg_temp.\"__pgt_d_7\" ON COMMIT DROP AS SELECT k,")
        .contains("EXECUTE 'UPDATE s SET n");
  }

  @Test
  void workTablesAreTheFillsInFirstFillOrderLoopsIncluded() {
    Step other = new Step("SELECT 1 AS one", Step.Counts.NONE, List.of(), "pg_temp.\"__pgt_x_7\"");
    assertThat(TriggerSteps.workTables(List.of(LOOP, FILL, other)))
        .extracting(Step::fills)
        .containsExactly("pg_temp.\"__pgt_d_7\"", "pg_temp.\"__pgt_x_7\"");
  }
}
