package dev.trickle.immediate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.ivm.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The session work tables of a source's own maintenance are the tables its steps fill. */
class WorkTablesTest {
  private static final Step FILL =
      new Step("SELECT k, sum(w) AS w FROM pg_temp.\"__pgt_delta_1\" GROUP BY k", Step.Counts.NONE,
          List.of(), "pg_temp.\"__pgt_d_7\"");
  private static final Step LOOP =
      new Step("SELECT EXISTS (SELECT 1 FROM pg_temp.\"__pgt_d_7\")", Step.Counts.NONE,
          List.of(FILL), null);

  @Test
  void workTablesAreTheFillsInFirstFillOrderLoopsIncluded() {
    Step other = new Step("SELECT 1 AS one", Step.Counts.NONE, List.of(), "pg_temp.\"__pgt_x_7\"");
    assertThat(WorkTables.filled(List.of(LOOP, FILL, other)))
        .extracting(Step::fills)
        .containsExactly("pg_temp.\"__pgt_d_7\"", "pg_temp.\"__pgt_x_7\"");
  }

  @Test
  void everyFiringCreatesMissingTablesWithoutNotices() {
    StringBuilder body = new StringBuilder();
    new WorkTables(1, List.of(LOOP), "pgtrickle.__pgt_imm_9").appendEnsure(body, "");
    assertThat(body.toString())
        .doesNotContain("IF EXISTS")
        .contains("IF pg_catalog.to_regclass('pg_temp.\"__pgt_d_7\"') IS NOT NULL THEN\n"
            + "    DROP TABLE pg_temp.\"__pgt_d_7\";\n  END IF;\n")
        .contains("EXECUTE 'CREATE TEMP TABLE pg_temp.\"__pgt_d_7\" AS SELECT k,");
  }
}
