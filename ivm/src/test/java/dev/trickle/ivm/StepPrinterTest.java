package dev.trickle.ivm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.rewriter.scan.SqlTokenizer;
import dev.trickle.rewriter.scan.Token;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every output of {@link StepPrinter} follows the one loop rule (the limit and the error naming the
 * stream table), and prints the statements it is given verbatim (no output edits them as text).
 */
class StepPrinterTest {
  private static final StepPrinter PRINTER = new StepPrinter(new LoopLimit("public.\"My ST\""));
  private static final String CHECK =
      "IF __pgt_iterations >= 100000 THEN RAISE EXCEPTION USING ERRCODE = '54000', MESSAGE ="
          + " 'stream table public.\"My ST\": recursive maintenance did not reach a fixpoint after"
          + " 100000 iterations; the recursive query may not terminate on this data',";

  private static final Step FILL = Step.fill("pg_temp.\"w\"", "SELECT 1 AS x WHERE '$pgt$' <> ''");
  private static final Step LOOP =
      Step.loop(List.of(FILL, Step.of("INSERT INTO t SELECT * FROM pg_temp.\"w\"")),
          "SELECT EXISTS (SELECT 1 FROM pg_temp.\"w\")");

  @Test
  void theLimitNamesTheStreamTable() {
    LoopLimit limit = PRINTER.limit();
    assertThat(limit.message()).startsWith("stream table public.\"My ST\": ").contains("100000 iterations");
    assertThat(limit.reached(LoopLimit.MAX_ITERATIONS - 1)).isFalse();
    assertThat(limit.reached(LoopLimit.MAX_ITERATIONS)).isTrue();
  }

  @Test
  void aServerSideLoopRunsTheBodyThenLoopsUnderTheLimit() {
    String loop = PRINTER.serverSideLoop(LOOP, StepPrinter.TRANSACTION_SCOPED);
    Token block = onlyTokenAfterDo(loop);
    String body = block.stringValue();
    assertThat(body).isEqualTo("""

        #variable_conflict use_column
        DECLARE
          __pgt_iterations int := 1;
        BEGIN
          DROP TABLE IF EXISTS pg_temp."w";
          CREATE TEMP TABLE pg_temp."w" ON COMMIT DROP AS SELECT 1 AS x WHERE '$pgt$' <> '';
          INSERT INTO t SELECT * FROM pg_temp."w";
          LOOP
            EXIT WHEN NOT (SELECT EXISTS (SELECT 1 FROM pg_temp."w"));
            %s
            DROP TABLE IF EXISTS pg_temp."w";
            CREATE TEMP TABLE pg_temp."w" ON COMMIT DROP AS SELECT 1 AS x WHERE '$pgt$' <> '';
            INSERT INTO t SELECT * FROM pg_temp."w";
            __pgt_iterations := __pgt_iterations + 1;
          END LOOP;
        END;
        """.formatted(PRINTER.limit().plpgsqlCheck("__pgt_iterations")));
    assertThat(body).contains(CHECK);
  }

  @Test
  void aTransactionScopedTriggerBodyExecutesEachStatementAndNestsLoopsUnderTheSameLimit() {
    Step outer = Step.loop(List.of(LOOP, Step.of("DELETE FROM t")), "SELECT false");
    String body = PRINTER.triggerBody(
        List.of(Step.of("SELECT 'it''s'"), outer), "  ", StepPrinter.TriggerForm.TRANSACTION_SCOPED);
    assertThat(body).startsWith("  EXECUTE 'SELECT ''it''''s''';\n  DECLARE\n");
    // The outer check once, the inner one in each of the two prints of the outer body.
    assertThat(body.split(java.util.regex.Pattern.quote(CHECK), -1)).hasSize(4);
    assertThat(body).contains("EXECUTE 'SELECT false' INTO __pgt_more;\n");
    assertThat(body).contains("EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_temp.\"w\")' INTO __pgt_more;\n");
  }

  @Test
  void aTransactionScopedTriggerBodyCreatesFillsForTheTransactionWithoutNotices() {
    String body = PRINTER.triggerBody(
        List.of(FILL, Step.of("UPDATE t SET n = 1")), "", StepPrinter.TriggerForm.TRANSACTION_SCOPED);
    assertThat(body)
        .doesNotContain("IF EXISTS")
        .isEqualTo("""
            IF pg_catalog.to_regclass('pg_temp."w"') IS NOT NULL THEN
              DROP TABLE pg_temp."w";
            END IF;
            EXECUTE 'CREATE TEMP TABLE pg_temp."w" ON COMMIT DROP AS SELECT 1 AS x WHERE ''$pgt$'' <> ''''';
            EXECUTE 'UPDATE t SET n = 1';
            """);
  }

  @Test
  void aPlannedTriggerBodyIsStaticAndRefillsSessionTables() {
    String body = PRINTER.triggerBody(List.of(LOOP), "  ", StepPrinter.TriggerForm.PLANNED);
    assertThat(body).isEqualTo("""
          DECLARE
            __pgt_iterations int := 1;
          BEGIN
            DELETE FROM pg_temp."w";
            INSERT INTO pg_temp."w" SELECT 1 AS x WHERE '$pgt$' <> '';
            INSERT INTO t SELECT * FROM pg_temp."w";
            LOOP
              EXIT WHEN NOT (SELECT EXISTS (SELECT 1 FROM pg_temp."w"));
              %s
              DELETE FROM pg_temp."w";
              INSERT INTO pg_temp."w" SELECT 1 AS x WHERE '$pgt$' <> '';
              INSERT INTO t SELECT * FROM pg_temp."w";
              __pgt_iterations := __pgt_iterations + 1;
            END LOOP;
          END;
        """.formatted(PRINTER.limit().plpgsqlCheck("__pgt_iterations")));
    assertThat(body).doesNotContain("EXECUTE").contains(CHECK);
  }

  @Test
  void aBatchPrintsStepsFillsAndServerSideLoops() {
    StepPrinter.Fills session = fill -> List.of("REFILL " + fill.fills());
    Step counted = new Step("DELETE FROM st", Step.Counts.DELETED);
    assertThat(PRINTER.statements(counted, session))
        .containsExactly(new StepPrinter.Statement("DELETE FROM st", Step.Counts.DELETED));
    assertThat(PRINTER.statements(FILL, session))
        .containsExactly(new StepPrinter.Statement("REFILL pg_temp.\"w\"", Step.Counts.NONE));
    List<StepPrinter.Statement> loop = PRINTER.statements(LOOP, session);
    assertThat(loop).hasSize(1);
    assertThat(loop.get(0).sql()).startsWith("DO $pgt$").contains("REFILL pg_temp.\"w\";").contains(CHECK);
    Step countedLoop = Step.loop(List.of(counted), "SELECT true");
    assertThat(StepPrinter.runsOnServer(countedLoop)).isFalse();
    assertThatThrownBy(() -> PRINTER.statements(countedLoop, session))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void explainShowsTheLoopAndItsLimit() {
    assertThat(PRINTER.explain(List.of(LOOP)))
        .isEqualTo("""
            -- LOOP
              DROP TABLE IF EXISTS pg_temp."w";
              CREATE TEMP TABLE pg_temp."w" ON COMMIT DROP AS SELECT 1 AS x WHERE '$pgt$' <> '';
              INSERT INTO t SELECT * FROM pg_temp."w";
            -- WHILE SELECT EXISTS (SELECT 1 FROM pg_temp."w"); at most 100000 iterations, then error 54000
            """);
  }

  @Test
  void stepsWithoutLoopsFlattenAndALoopAmongThemIsRefused() {
    assertThat(StepPrinter.withoutLoops(List.of(FILL, Step.of("SELECT 1"))))
        .containsExactly(
            "DROP TABLE IF EXISTS pg_temp.\"w\"",
            "CREATE TEMP TABLE pg_temp.\"w\" ON COMMIT DROP AS SELECT 1 AS x WHERE '$pgt$' <> ''",
            "SELECT 1");
    assertThatThrownBy(() -> StepPrinter.withoutLoops(List.of(LOOP)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aClosureFailsAtTheSameLimitWithTheSameMessage() {
    String check = PRINTER.limit().sqlCheck("r.depth");
    assertThat(check)
        .startsWith("CASE WHEN r.depth < 100000 THEN true ELSE pgtrickle.loop_limit_reached(")
        .contains("'stream table public.\"My ST\": recursive maintenance did not reach a fixpoint");
  }

  private static Token onlyTokenAfterDo(String sql) {
    List<Token> tokens = SqlTokenizer.tokenize(sql);
    assertThat(tokens).hasSize(2);
    assertThat(tokens.get(0).isWord("do")).isTrue();
    return tokens.get(1);
  }
}
