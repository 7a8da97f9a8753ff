package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static dev.trickle.scheduler.SchedulerHarness.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The leading scheduler deletes refresh history older than {@code
 * pg_trickle.history_retention_days}, a backlog larger than one batch included, and keeps what is
 * younger; 0 keeps everything.
 */
class HistoryRetentionTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @BeforeAll
  static void createStreamTable() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler())) {
      execute(
          c,
          "CREATE EXTENSION pg_trickle",
          "CREATE TABLE t (id int PRIMARY KEY)",
          "SELECT pgtrickle.create_stream_table('st', 'SELECT id FROM t', 'calculated')");
    }
  }

  @AfterAll
  static void stopScheduler() throws Exception {
    SchedulerHarness.stop(db);
  }

  @Test
  void theLeaderPrunesHistoryOlderThanTheRetentionAndKeepsTheRest() throws Exception {
    try (Connection admin = db.connectAdmin()) {
      execute(admin, "ALTER DATABASE " + db.name() + " SET pg_trickle.history_retention_days = 5");
    }
    try (Connection c = db.connect(SchedulerHarness.noScheduler())) {
      addHistory(c, HistoryRetention.BATCH * 2 + 17, "6 days");
      addHistory(c, 10, "4 days");
      addHistory(c, 3, "1 hour");

      SchedulerHarness.start(db);
      Await.until(
          Duration.ofSeconds(60),
          "history older than 5 days is pruned",
          () -> "0".equals(value(c, olderThan("5 days"))));
      assertThat(value(c, olderThan("3 days"))).isEqualTo("10");
      assertThat(value(c, olderThan("1 minute"))).isEqualTo("13");
    }
  }

  @Test
  void zeroKeepsEverything() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler())) {
      // Uncommitted rows: a running scheduler's pruning cannot take them away meanwhile.
      c.setAutoCommit(false);
      addHistory(c, 7, "400 days");
      String before = value(c, "SELECT count(*) FROM pgtrickle.pgt_refresh_history");
      assertThat(HistoryRetention.prune(c, 0)).isZero();
      assertThat(value(c, "SELECT count(*) FROM pgtrickle.pgt_refresh_history")).isEqualTo(before);
      assertThat(HistoryRetention.prune(c, 300)).isEqualTo(7);
      c.rollback();
    }
  }

  private static String olderThan(String age) {
    return "SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE start_time < now() - interval '"
        + age + "'";
  }

  private static void addHistory(Connection c, int rows, String age) throws Exception {
    execute(
        c,
        "INSERT INTO pgtrickle.pgt_refresh_history (pgt_id, start_time, end_time, action, status,"
            + " initiated_by) SELECT (SELECT pgt_id FROM pgtrickle.pgt_stream_tables LIMIT 1),"
            + " now() - interval '" + age + "' - g * interval '1 second',"
            + " now() - interval '" + age + "' - g * interval '1 second', 'NO_DATA', 'COMPLETED',"
            + " 'SCHEDULER' FROM generate_series(1, " + rows + ") g");
  }
}
