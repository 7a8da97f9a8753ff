package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static dev.trickle.scheduler.SchedulerHarness.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two processes run a scheduler for one database: exactly one leads and refreshes; when the
 * leader's process is killed hard in the middle of a refresh, the other takes over within five
 * seconds and the stream table converges (the killed refresh rolled back as a whole).
 */
class LeaderElectionTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @AfterAll
  static void stopScheduler() throws Exception {
    SchedulerHarness.stop(db);
  }

  @Test
  void aStandbyTakesOverWhenTheLeadersProcessIsKilled() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler())) {
      execute(
          c,
          "CREATE EXTENSION pg_trickle",
          "CREATE TABLE t (id int PRIMARY KEY, v int)",
          "CREATE TABLE gate (open boolean NOT NULL)",
          "INSERT INTO gate VALUES (true)",
          "SELECT pgtrickle.create_stream_table('st',"
              + " 'SELECT count(*) AS n FROM t, gate WHERE gate.open', '1s')");

      Process other = startOtherProcess();
      try {
        AtomicBoolean leads = new AtomicBoolean();
        Thread reader = drain(other, leads);
        Await.until(Duration.ofSeconds(60), "the other process leads", leads::get);
        assertThat(value(c, "SELECT pid FROM pgtrickle.pgt_scheduler"))
            .isEqualTo(Long.toString(other.pid()));

        RefreshScheduler local = SchedulerHarness.start(db);
        Await.until(
            Duration.ofSeconds(10),
            "this JVM's scheduler has its control connection",
            () ->
                "2".equals(
                    value(
                        c,
                        "SELECT count(*) FROM pg_stat_activity"
                            + " WHERE application_name = 'trickle scheduler (control)'"
                            + " AND datname = current_database()")));
        execute(c, "INSERT INTO t VALUES (1, 1)");
        Await.until(Duration.ofSeconds(10), "the other process refreshes st",
            () -> "1".equals(value(c, "SELECT n FROM st")));
        assertThat(local.isLeader()).as("this JVM stands by").isFalse();

        try (Connection gate = db.connectPlain()) {
          gate.setAutoCommit(false);
          execute(gate, "LOCK TABLE gate IN ACCESS EXCLUSIVE MODE");
          execute(c, "INSERT INTO t VALUES (2, 2)");
          Await.until(Duration.ofSeconds(10), "the other process is in the middle of a refresh",
              () -> "1".equals(value(c, "SELECT count(*) FROM pgtrickle.pgt_jobs"
                  + " WHERE status = 'RUNNING'")));

          other.destroyForcibly();
          Await.until(Duration.ofSeconds(5), "this JVM's scheduler leads", local::isLeader);
          reader.join(5000);
          gate.commit();
        }
        Await.until(Duration.ofSeconds(10), "this JVM refreshes st",
            () -> "2".equals(value(c, "SELECT n FROM st")));
        assertThat(SchedulerHarness.matchesQuery(c, "st")).isTrue();
        Await.until(Duration.ofSeconds(10), "the killed leader's job is closed by the new one",
            () -> "0".equals(value(c, "SELECT count(*) FROM pgtrickle.pgt_jobs"
                + " WHERE status IN ('QUEUED', 'RUNNING')")));
        assertThat(value(c, "SELECT count(*) FROM pgtrickle.pgt_jobs WHERE status = 'FAILED'"
                + " AND worker LIKE '%:" + other.pid() + "/%'"))
            .isEqualTo("1");
        execute(c, "INSERT INTO t VALUES (3, 3)");
        Await.until(Duration.ofSeconds(10), "this JVM keeps refreshing st",
            () -> "3".equals(value(c, "SELECT n FROM st")));
        assertThat(value(c, "SELECT pid FROM pgtrickle.pgt_scheduler"))
            .isEqualTo(Long.toString(ProcessHandle.current().pid()));
      } finally {
        other.destroyForcibly();
      }
    }
  }

  private static Process startOtherProcess() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            SchedulerProcess.class.getName(),
            db.plainUrl(),
            PostgresFixture.APP_ROLE,
            PostgresFixture.APP_PASSWORD)
        .redirectErrorStream(true)
        .start();
  }

  /** Reads the process's output (echoing it) and notes when it says it leads. */
  private static Thread drain(Process process, AtomicBoolean leads) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  System.out.println("[other process] " + line);
                  if (line.equals("LEADER")) {
                    leads.set(true);
                  }
                }
              } catch (IOException e) {
                // the process was killed
              }
            });
    reader.setDaemon(true);
    reader.start();
    return reader;
  }
}
