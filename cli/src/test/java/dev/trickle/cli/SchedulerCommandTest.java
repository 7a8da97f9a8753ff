package dev.trickle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.scheduler.Schedulers;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * {@code trickle scheduler --url URL} runs only the scheduler: it leads, refreshes what is due,
 * logs it (in its own process, where the log is configured before the scheduler starts), and stops
 * cleanly (leadership and heartbeat released) when stopped or sent SIGTERM.
 */
class SchedulerCommandTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void refreshesTheDatabase() throws Exception {
    try (Connection c = setUp()) {
      StringWriter err = new StringWriter();
      int[] status = {-1};
      Thread command =
          new Thread(
              () -> {
                CommandLine cli = TrickleCommandLine.create();
                cli.setErr(new PrintWriter(err, true));
                status[0] = cli.execute(args());
              });
      command.start();
      await("the scheduler leads",
          () -> count(c, "SELECT count(*) FROM pgtrickle.pgt_scheduler") == 1);
      execute(c, "INSERT INTO t VALUES (1), (2)");
      await("t_count is refreshed", () -> count(c, "SELECT n FROM t_count") == 2);

      Schedulers.stopAll();
      command.join(10_000);
      assertThat(status[0]).isZero();
      assertThat(count(c, "SELECT count(*) FROM pgtrickle.pgt_scheduler")).isZero();
    }
  }

  @Test
  void logsWhatItDoesAndExitsCleanlyOnSigterm() throws Exception {
    try (Connection c = setUp()) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder builder =
          new ProcessBuilder(
              java, "-cp", System.getProperty("java.class.path"), Main.class.getName());
      builder.command().addAll(List.of(args()));
      Process process = builder.redirectErrorStream(true).start();
      StringBuilder output = new StringBuilder();
      Thread reader = drain(process.getInputStream(), output);
      try {
        await("the scheduler process leads",
            () -> count(c, "SELECT count(*) FROM pgtrickle.pgt_scheduler") == 1);
        execute(c, "INSERT INTO t VALUES (1), (2)");
        await("t_count is refreshed", () -> count(c, "SELECT n FROM t_count") == 2);
        await("the refresh is logged", () -> text(output).contains("refreshed public.t_count"));
        process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close the pipe
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        reader.join(5000);
        assertThat(process.exitValue()).as(output.toString()).isEqualTo(143);
        assertThat(output.toString())
            .contains("INFO scheduler for", " leads")
            .containsPattern("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} DEBUG refreshed public.t_count")
            .contains("trickle scheduler: stopped");
        assertThat(count(c, "SELECT count(*) FROM pgtrickle.pgt_scheduler")).isZero();
      } finally {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void needsAUrl() {
    Outcome outcome = Outcome.of("scheduler");
    assertThat(outcome.status()).isEqualTo(1);
    assertThat(outcome.err()).contains("needs --url");
  }

  private static String[] args() {
    return new String[] {
      "scheduler",
      "--url", db.trickleUrl(),
      "--user", PostgresFixture.APP_ROLE,
      "--password", PostgresFixture.APP_PASSWORD
    };
  }

  /** The catalog and one stream table, created by a connection that starts no scheduler. */
  private static Connection setUp() throws SQLException {
    Properties noScheduler = new Properties();
    noScheduler.setProperty("trickle.scheduler", "false");
    Connection c = db.connect(noScheduler);
    execute(
        c,
        "CREATE EXTENSION IF NOT EXISTS pg_trickle",
        "DROP STREAM TABLE IF EXISTS t_count",
        "DROP TABLE IF EXISTS t",
        "CREATE TABLE t (id int PRIMARY KEY)",
        "SELECT pgtrickle.create_stream_table('t_count', 'SELECT count(*) AS n FROM t', '1s')");
    return c;
  }

  private static void execute(Connection c, String... sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  private static long count(Connection c, String sql) {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : -1;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }

  private static String text(StringBuilder output) {
    synchronized (output) {
      return output.toString();
    }
  }

  private static Thread drain(InputStream in, StringBuilder output) {
    Thread reader =
        new Thread(
            () -> {
              try {
                byte[] buffer = new byte[4096];
                int n;
                while ((n = in.read(buffer)) > 0) {
                  synchronized (output) {
                    output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
            });
    reader.setDaemon(true);
    reader.start();
    return reader;
  }
}
