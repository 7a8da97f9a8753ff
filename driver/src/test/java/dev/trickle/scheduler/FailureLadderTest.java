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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failures of scheduled refreshes: a permanent one (a dropped source) sets ERROR at once; a
 * transient one is retried with back-off until max_consecutive_errors suspends the stream table;
 * resume_stream_table brings it back; other stream tables keep refreshing throughout.
 */
class FailureLadderTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @BeforeAll
  static void startScheduler() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler())) {
      execute(
          c,
          "CREATE EXTENSION pg_trickle",
          "CREATE TABLE healthy (id int PRIMARY KEY)",
          "SELECT pgtrickle.create_stream_table('healthy_count',"
              + " 'SELECT count(*) AS n FROM healthy', '1s')");
    }
    SchedulerHarness.start(db, "trickle.scheduler_interval_ms", "100");
  }

  @AfterAll
  static void stopScheduler() throws Exception {
    SchedulerHarness.stop(db);
  }

  @Test
  void aDroppedSourceSetsErrorWhileOthersKeepRefreshing() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler())) {
      execute(
          c,
          "CREATE TABLE doomed (id int PRIMARY KEY, v int)",
          "SELECT pgtrickle.create_stream_table('doomed_view', 'SELECT id, v FROM doomed', '1s')",
          "DROP TABLE doomed");
      Await.until(
          Duration.ofSeconds(10),
          "doomed_view is in ERROR",
          () -> "ERROR".equals(status(c, "doomed_view")));
      assertThat(value(c, "SELECT last_error_message FROM pgtrickle.pgt_stream_tables"
              + " WHERE pgt_name = 'doomed_view'"))
          .contains("doomed").contains("no longer exists");
      execute(c, "INSERT INTO healthy VALUES (1)");
      Await.until(
          Duration.ofSeconds(10),
          "healthy_count keeps refreshing",
          () -> "1".equals(value(c, "SELECT n FROM healthy_count")));
    }
  }

  @Test
  void transientFailuresAreRetriedThenSuspendUntilResumed() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler())) {
      execute(
          c,
          "CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL)",
          "CREATE TABLE switch (broken boolean NOT NULL)",
          "INSERT INTO switch VALUES (false)",
          "CREATE FUNCTION flaky(v int) RETURNS int LANGUAGE plpgsql AS $$BEGIN"
              + " IF (SELECT broken FROM switch) THEN RAISE EXCEPTION 'flaky is down'; END IF;"
              + " RETURN v; END$$",
          "SELECT pgtrickle.create_stream_table('flaky_items',"
              + " 'SELECT id, flaky(v) AS w FROM items', '1s', refresh_mode => 'FULL')",
          "UPDATE switch SET broken = true",
          "INSERT INTO items VALUES (1, 10)");
      Await.until(
          Duration.ofSeconds(10),
          "flaky_items is suspended",
          () -> "SUSPENDED".equals(status(c, "flaky_items")));
      assertThat(
              rows(
                  c,
                  "SELECT s.consecutive_errors, count(*) FILTER (WHERE h.status = 'FAILED'"
                      + " AND h.initiated_by = 'SCHEDULER')"
                      + " FROM pgtrickle.pgt_stream_tables s JOIN pgtrickle.pgt_refresh_history h"
                      + " USING (pgt_id) WHERE s.pgt_name = 'flaky_items'"
                      + " GROUP BY s.consecutive_errors"))
          .containsExactly(List.of("3", "3"));
      assertThat(value(c, "SELECT last_error_message FROM pgtrickle.pgt_stream_tables"
              + " WHERE pgt_name = 'flaky_items'"))
          .contains("flaky is down");

      execute(c, "INSERT INTO healthy VALUES (2)");
      Await.until(
          Duration.ofSeconds(10),
          "healthy_count keeps refreshing",
          () -> "2".equals(value(c, "SELECT n FROM healthy_count")));

      execute(
          c,
          "UPDATE switch SET broken = false",
          "SELECT pgtrickle.resume_stream_table('flaky_items')");
      Await.until(
          Duration.ofSeconds(10),
          "the resumed flaky_items catches up",
          () -> List.of(List.of("1", "10")).equals(rows(c, "SELECT id, w FROM flaky_items")));
      assertThat(
              rows(c, "SELECT status, consecutive_errors FROM pgtrickle.pgt_stream_tables"
                  + " WHERE pgt_name = 'flaky_items'"))
          .containsExactly(List.of("ACTIVE", "0"));
    }
  }

  private static String status(Connection c, String name) throws Exception {
    return value(
        c, "SELECT status FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '" + name + "'");
  }
}
