package dev.trickle.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.ivm.LoopLimit;
import dev.trickle.ivm.Step;
import dev.trickle.ivm.StepPrinter;
import dev.trickle.sql.Sql;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.util.PSQLException;

/**
 * The printed loops run on PostgreSQL by the one loop rule: a server-side loop (a {@code DO}
 * block) and a trigger body in both its forms (run here in a {@code DO} block, as PL/pgSQL) run
 * the body until the condition is false, at most {@link LoopLimit#MAX_ITERATIONS} times, and a
 * loop that wants more fails with 54000 naming the stream table.
 */
class StepPrinterOnServerTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String STREAM_TABLE = "public.\"Loop ST\"";
  private static final StepPrinter PRINTER = new StepPrinter(new LoopLimit(STREAM_TABLE));

  /** The outputs that print a loop as PL/pgSQL. */
  private enum Output {
    SERVER_SIDE_LOOP,
    PLANNED_TRIGGER_BODY,
    TRANSACTION_SCOPED_TRIGGER_BODY
  }

  /** A loop that adds one row to {@code pg_temp.runs} per iteration while {@code condition}. */
  private static Step loop(String condition) {
    return new Step(
        condition,
        Step.Counts.NONE,
        List.of(new Step("INSERT INTO pg_temp.runs VALUES (1)", Step.Counts.NONE)),
        null);
  }

  /** Like {@link #loop}, through a work table its body fills. */
  private static Step loopThroughWorkTable(String condition) {
    return new Step(
        condition,
        Step.Counts.NONE,
        List.of(
            new Step("SELECT 1 AS n", Step.Counts.NONE, List.of(), "pg_temp.\"__pgt_one\""),
            new Step("INSERT INTO pg_temp.runs SELECT n FROM pg_temp.\"__pgt_one\"", Step.Counts.NONE)),
        null);
  }

  @Test
  void aLoopRunsItsBodyUntilTheConditionIsFalse() throws SQLException {
    for (Output output : Output.values()) {
      try (Connection c = db.connectPlain();
          Statement st = c.createStatement()) {
        prepare(st);
        st.execute(print(loopThroughWorkTable("SELECT count(*) < 5 FROM pg_temp.runs"), output));
        assertThat(count(st)).as("%s", output).isEqualTo(5);
      }
    }
  }

  @Test
  void aServerSideLoopMayRunItsBodyExactlyTheLimit() throws SQLException {
    try (Connection c = db.connectPlain();
        Statement st = c.createStatement()) {
      prepare(st);
      st.execute(print(loop("SELECT nextval('pg_temp.ticks') < " + LoopLimit.MAX_ITERATIONS),
          Output.SERVER_SIDE_LOOP));
      assertThat(count(st)).isEqualTo(LoopLimit.MAX_ITERATIONS);
    }
  }

  @Test
  void aLoopThatWantsMoreThanTheLimitFailsNamingTheStreamTable() throws SQLException {
    for (Output output : Output.values()) {
      try (Connection c = db.connectPlain();
          Statement st = c.createStatement()) {
        prepare(st);
        String sql = print(loop("SELECT true"), output);
        assertThatThrownBy(() -> st.execute(sql))
            .as("%s", output)
            .isInstanceOf(PSQLException.class)
            .hasMessageContaining("stream table " + STREAM_TABLE + ": recursive maintenance did not"
                + " reach a fixpoint after 100000 iterations")
            .satisfies(e -> {
              assertThat(((SQLException) e).getSQLState()).isEqualTo(LoopLimit.SQLSTATE);
              assertThat(((PSQLException) e).getServerErrorMessage().getHint()).isEqualTo(LoopLimit.HINT);
            });
      }
    }
  }

  @Test
  void triggerBodiesNestLoops() throws SQLException {
    for (Output output :
        List.of(Output.PLANNED_TRIGGER_BODY, Output.TRANSACTION_SCOPED_TRIGGER_BODY)) {
      try (Connection c = db.connectPlain();
          Statement st = c.createStatement()) {
        prepare(st);
        st.execute("CREATE TEMP TABLE rounds (n int)");
        Step inner = loopThroughWorkTable("SELECT count(*) % 3 <> 0 FROM pg_temp.runs");
        Step outer =
            new Step(
                "SELECT count(*) < 4 FROM pg_temp.rounds",
                Step.Counts.NONE,
                List.of(inner, new Step("INSERT INTO pg_temp.rounds VALUES (1)", Step.Counts.NONE)),
                null);
        st.execute(print(outer, output));
        assertThat(count(st)).as("%s", output).isEqualTo(12);
      }
    }
  }

  private static String print(Step loop, Output output) {
    return switch (output) {
      case SERVER_SIDE_LOOP -> PRINTER.serverSideLoop(loop, StepPrinter.TRANSACTION_SCOPED);
      case PLANNED_TRIGGER_BODY -> "DO " + Sql.dollarQuoted("BEGIN\n"
          + PRINTER.triggerBody(List.of(loop), "  ", StepPrinter.TriggerForm.PLANNED) + "END");
      case TRANSACTION_SCOPED_TRIGGER_BODY -> "DO " + Sql.dollarQuoted("BEGIN\n"
          + PRINTER.triggerBody(List.of(loop), "  ", StepPrinter.TriggerForm.TRANSACTION_SCOPED)
          + "END");
    };
  }

  /** The tables the loops write; the work table exists, as a planned trigger body expects. */
  private static void prepare(Statement st) throws SQLException {
    st.execute("CREATE TEMP TABLE runs (n int)");
    st.execute("CREATE TEMP TABLE \"__pgt_one\" (n int)");
    st.execute("CREATE TEMP SEQUENCE ticks");
  }

  private static long count(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_temp.runs")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
