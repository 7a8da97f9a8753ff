package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static dev.trickle.scheduler.SchedulerHarness.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A refresh never runs twice at once: while a manual refresh_stream_table holds a stream table's
 * refresh lock (inside an open transaction), the scheduler skips that table, without waiting and
 * without counting a failure, keeps refreshing the others, and catches up once the lock is gone.
 * And a stream of change notifications about a paced table does not make the scheduler spin.
 */
class BusyStreamTableTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @BeforeAll
  static void installCatalog() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler())) {
      execute(c, "CREATE EXTENSION pg_trickle");
    }
  }

  @AfterEach
  void stopScheduler() throws Exception {
    SchedulerHarness.stop(db);
  }

  @Test
  void theSchedulerSkipsAStreamTableAManualRefreshHolds() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler());
        Connection manual = db.connect(SchedulerHarness.noScheduler())) {
      execute(
          c,
          "CREATE TABLE x (id int PRIMARY KEY)",
          "CREATE TABLE y (id int PRIMARY KEY)",
          "SELECT pgtrickle.create_stream_table('x_count', 'SELECT count(*) AS n FROM x', '1s')",
          "SELECT pgtrickle.create_stream_table('y_count', 'SELECT count(*) AS n FROM y', '1s')");
      SchedulerHarness.start(db, "trickle.scheduler_interval_ms", "100");

      manual.setAutoCommit(false);
      manual.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      execute(manual, "SELECT pgtrickle.refresh_stream_table('x_count')");
      execute(c, "INSERT INTO x VALUES (1)", "INSERT INTO y VALUES (1)");
      Await.until(
          Duration.ofSeconds(10),
          "y_count is refreshed while x_count is held",
          () -> "1".equals(value(c, "SELECT n FROM y_count")));
      execute(c, "INSERT INTO y VALUES (2)");
      Await.until(
          Duration.ofSeconds(10),
          "y_count is refreshed again",
          () -> "2".equals(value(c, "SELECT n FROM y_count")));
      assertThat(value(c, "SELECT n FROM x_count")).isEqualTo("0");
      assertThat(
              value(
                  c,
                  "SELECT count(*) FROM pgtrickle.pgt_refresh_history h"
                      + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                      + " WHERE s.pgt_name = 'x_count' AND h.initiated_by = 'SCHEDULER'"))
          .as("no scheduled refresh of x_count ran or failed while it was held")
          .isEqualTo("0");

      manual.commit();
      Await.until(
          Duration.ofSeconds(10),
          "x_count catches up once the manual refresh committed",
          () -> "1".equals(value(c, "SELECT n FROM x_count")));
    }
  }

  @Test
  void aStreamOfChangesToAPacedTableDoesNotMakeTheSchedulerSpin() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler())) {
      execute(
          c,
          "CREATE TABLE z (id serial PRIMARY KEY)",
          "SELECT pgtrickle.create_stream_table('z_count', 'SELECT count(*) AS n FROM z', '1s')");
      RefreshScheduler scheduler = SchedulerHarness.start(db);
      Await.until(Duration.ofSeconds(10), "the scheduler leads", scheduler::isLeader);
      long before = scheduler.passes();
      int writes = 0;
      long end = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (System.nanoTime() < end) {
        execute(c, "INSERT INTO z DEFAULT VALUES");
        writes++;
      }
      long passes = scheduler.passes() - before;
      assertThat(writes).isGreaterThan(100);
      assertThat(passes)
          .as("passes during %d writes to a source of a 1s stream table", writes)
          .isLessThan(20);
      int total = writes;
      Await.until(
          Duration.ofSeconds(10),
          "z_count catches up",
          () -> Integer.toString(total).equals(value(c, "SELECT n FROM z_count")));
    }
  }
}
