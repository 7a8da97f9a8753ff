package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static dev.trickle.scheduler.SchedulerHarness.rows;
import static dev.trickle.scheduler.SchedulerHarness.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.jdbc.TrickleDataSource;
import dev.trickle.jdbc.TrickleDriver;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed's chain (departments → department_tree → department_stats → department_report) with
 * only department_report scheduled ('1s') keeps itself current: base writes reach the top with no
 * refresh call, in dependency order, started by nothing but the driver connecting. The scheduler is
 * shared by every connection to the database and stops when the driver is deregistered.
 */
class SeedChainTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @AfterAll
  static void stopScheduler() throws Exception {
    SchedulerHarness.stop(db);
  }

  @Test
  void baseWritesReachTheTopOfTheChainWithoutRefreshCalls() throws Exception {
    try (Connection c = db.connect()) {
      SchedulerHarness.createSeedChain(c, "1s");
      RefreshScheduler scheduler = Schedulers.running(SchedulerHarness.key(db)).orElseThrow();
      TrickleDataSource dataSource = new TrickleDataSource();
      dataSource.setUrl(db.trickleUrl());
      try (Connection other =
          dataSource.getConnection(PostgresFixture.APP_ROLE, PostgresFixture.APP_PASSWORD)) {
        assertThat(Schedulers.running(SchedulerHarness.key(db))).containsSame(scheduler);
      }

      execute(c, "INSERT INTO employees (name, department_id, salary) VALUES ('Heidi', 6, 105000)");
      Await.until(
          Duration.ofSeconds(10),
          "department_report shows Heidi",
          () ->
              rows(c, "SELECT total_headcount, total_payroll FROM department_report"
                      + " WHERE division = 'Engineering'")
                  .equals(List.of(List.of("5", "580000.00"))));

      execute(c, "INSERT INTO departments (id, name, parent_id) VALUES (8, 'DevOps', 2)");
      execute(c, "INSERT INTO employees (name, department_id, salary) VALUES ('Ivan', 8, 90000)");
      execute(c, "UPDATE departments SET name = 'R&D' WHERE id = 2");
      Await.until(
          Duration.ofSeconds(10),
          "the rename and the new team reach department_report",
          () ->
              rows(c, "SELECT total_headcount, total_payroll FROM department_report"
                      + " WHERE division = 'R&D'")
                  .equals(List.of(List.of("6", "670000.00"))));
      assertThat(
              value(c, "SELECT full_path FROM department_stats WHERE department_name = 'DevOps'"))
          .isEqualTo("Company > R&D > DevOps");
      for (String name : List.of("department_tree", "department_stats", "department_report")) {
        assertThat(SchedulerHarness.matchesQuery(c, name)).as(name).isTrue();
        assertThat(
                value(
                    c,
                    "SELECT count(*) FROM pgtrickle.pgt_refresh_history h"
                        + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                        + " WHERE s.pgt_name = '" + name + "' AND h.initiated_by = 'SCHEDULER'"
                        + " AND h.status = 'COMPLETED' AND h.action <> 'NO_DATA'"))
            .as("scheduled refreshes of " + name)
            .isNotEqualTo("0");
      }
      Await.until(
          Duration.ofSeconds(10),
          "the scheduler cleans up the change buffers its refreshes consumed",
          () ->
              value(c, "SELECT coalesce(sum(pending_rows), 0) + count(*) FILTER (WHERE"
                      + " buffer_bytes IS NULL) FROM pgtrickle.change_buffer_sizes()")
                  .equals("0")
                  && value(c, "SELECT count(*) FROM pgtrickle_changes.changes_"
                          + value(c, "SELECT 'employees'::regclass::oid"))
                      .equals("0"));
      assertThat(
              value(
                  c,
                  "SELECT count(*) FROM pgtrickle.pgt_refresh_history"
                      + " WHERE initiated_by = 'MANUAL' AND action NOT IN ('FULL')"))
          .as("no manual refresh besides the initial population")
          .isEqualTo("0");

      TrickleDriver.deregister();
      try {
        assertThat(scheduler.isRunning()).isFalse();
        assertThat(value(c, "SELECT count(*) FROM pgtrickle.pgt_scheduler"))
            .as("the stopped scheduler removed its heartbeat")
            .isEqualTo("0");
      } finally {
        TrickleDriver.register();
      }
    }
  }
}
