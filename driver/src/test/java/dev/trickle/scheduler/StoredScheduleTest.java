package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scheduler reads every stored schedule without complaint: an IMMEDIATE stream table, or one
 * created without a schedule, stores none, and reading it must not log that the schedule cannot be read (a blank schedule is refused
 * when written, so "no schedule" must not be taken for a blank one when read).
 */
class StoredScheduleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void streamTablesWithoutAStoredScheduleAreReadWithoutAWarning() throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (Connection c = db.connect(SchedulerHarness.noScheduler())) {
      execute(
          c,
          "CREATE EXTENSION pg_trickle",
          "CREATE TABLE t (id int PRIMARY KEY, v int)",
          "SELECT pgtrickle.create_stream_table('live', 'SELECT id, v FROM t',"
              + " refresh_mode => 'IMMEDIATE')",
          "SELECT pgtrickle.create_stream_table('later', 'SELECT id, v FROM t')");
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      SchedulerCatalog.State state = new SchedulerCatalog().read(c);
      assertThat(state.nodes()).extracting(StreamTableNode::name).contains("public.later");
    } finally {
      System.setErr(err);
    }
    assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("cannot read");
  }
}
