package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static dev.trickle.scheduler.SchedulerHarness.rows;
import static dev.trickle.scheduler.SchedulerHarness.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Settings changed with ALTER DATABASE (by a superuser) apply to the running scheduler without a
 * restart, and the monitoring functions show its state from any client: heartbeat, parallel mode,
 * health, and staleness that stays within the schedule while nothing changes (confirmed without
 * refreshing).
 */
class SchedulerSettingsTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @AfterAll
  static void stopScheduler() throws Exception {
    SchedulerHarness.stop(db);
  }

  @Test
  void settingsReloadWithoutRestartAndMonitoringShowsTheScheduler() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler());
        Connection psql = db.connectPlain()) {
      execute(
          c,
          "CREATE EXTENSION pg_trickle",
          "CREATE TABLE t (id int PRIMARY KEY)",
          "SELECT pgtrickle.create_stream_table('t_count', 'SELECT count(*) AS n FROM t', '1s')");
      alterDatabase("SET pg_trickle.scheduler_interval_ms = 200");
      SchedulerHarness.start(db);
      Await.until(
          Duration.ofSeconds(10),
          "worker_pool_status shows the leader",
          () -> rows(psql, "SELECT parallel_mode, scheduler_host IS NOT NULL,"
                  + " last_scheduler_tick > now() - interval '5 seconds'"
                  + " FROM pgtrickle.worker_pool_status()")
              .equals(List.of(List.of("off", "t", "t"))));
      assertThat(value(psql, "SELECT severity FROM pgtrickle.health_check()"
              + " WHERE check_name = 'scheduler_running'"))
          .isEqualTo("OK");

      alterDatabase("SET pg_trickle.parallel_refresh_mode = 'on'");
      Await.until(
          Duration.ofSeconds(10),
          "the running scheduler switched to parallel mode",
          () ->
              "on".equals(
                  value(psql, "SELECT parallel_mode FROM pgtrickle.worker_pool_status()")));

      String created = value(psql, "SELECT data_timestamp FROM pgtrickle.pgt_stream_tables");
      Await.until(
          Duration.ofSeconds(10),
          "an idle stream table is confirmed current",
          () ->
              !created.equals(
                  value(psql, "SELECT data_timestamp FROM pgtrickle.pgt_stream_tables")));
      assertThat(value(psql, "SELECT staleness < interval '3 seconds' FROM pgtrickle.pgt_status()"))
          .isEqualTo("t");
      assertThat(value(psql, "SELECT count(*) FROM pgtrickle.pgt_refresh_history"))
          .as("confirmed without refreshing")
          .isEqualTo("1");

      alterDatabase("SET pg_trickle.enabled = off");
      Await.until(
          Duration.ofSeconds(10),
          "the disabled scheduler gave up the leadership",
          () -> "0".equals(value(psql, "SELECT count(*) FROM pgtrickle.pgt_scheduler")));
      execute(psql, "INSERT INTO t VALUES (1)");
      alterDatabase("RESET pg_trickle.enabled");
      Await.until(
          Duration.ofSeconds(10),
          "the re-enabled scheduler refreshes again",
          () -> "1".equals(value(psql, "SELECT n FROM t_count")));
    }
  }

  /**
   * ALTER DATABASE ... SET of a pg_trickle.* setting, as a superuser: PostgreSQL lets other roles
   * set custom settings only in their own session.
   */
  private static void alterDatabase(String change) throws Exception {
    try (Connection admin = db.connectAdmin()) {
      execute(admin, "ALTER DATABASE " + db.name() + " " + change);
    }
  }
}
