package dev.trickle.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scheduler's log through SLF4J (slf4j-simple in the tests, writing to whatever System.err is
 * at the time): a failed refresh is a WARN naming the stream table, the failure that suspends it or
 * puts it in ERROR an ERROR naming it and saying what to do.
 */
class SchedulerLogTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void failuresSuspensionAndErrorAreLoggedNamingTheStreamTable() throws Exception {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    Properties settings = new Properties();
    settings.setProperty("trickle.max_consecutive_errors", "2");
    settings.setProperty("trickle.scheduler_interval_ms", "100");
    try (Connection c = db.connect(settings);
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE src (id int PRIMARY KEY, v int)");
      s.execute("INSERT INTO src VALUES (1, 1)");
      s.execute("CREATE STREAM TABLE ratio WITH (schedule = '1s') AS SELECT id, 100 / v AS r FROM src");
      s.execute("CREATE TABLE doomed (id int)");
      s.execute("CREATE STREAM TABLE doomed_copy WITH (schedule = '1s') AS SELECT id FROM doomed");
      s.execute("UPDATE src SET v = 0");
      s.execute("DROP TABLE doomed");
      await(() -> "SUSPENDED".equals(status(s, "ratio")) && "ERROR".equals(status(s, "doomed_copy")));
      await(() -> captured.toString(StandardCharsets.UTF_8).contains("is in ERROR"));
    } finally {
      System.setErr(stderr);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log)
        .contains("WARN dev.trickle.scheduler.RefreshLog - refresh of public.ratio failed: division by zero")
        .contains(
            "ERROR dev.trickle.scheduler.RefreshLog - stream table public.ratio is SUSPENDED after"
                + " repeated failed refreshes; the last: division by zero. Fix the cause, then"
                + " SELECT pgtrickle.resume_stream_table('public.ratio')")
        .contains(
            "ERROR dev.trickle.scheduler.RefreshLog - stream table public.doomed_copy is in ERROR:"
                + " its query no longer fits the database (source public.doomed");
  }

  private static String status(Statement s, String name) {
    try (ResultSet rs =
        s.executeQuery("SELECT status FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '" + name + "'")) {
      return rs.next() ? rs.getString(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out");
      }
      Thread.sleep(50);
    }
  }
}
