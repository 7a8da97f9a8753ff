package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static dev.trickle.scheduler.SchedulerHarness.rows;
import static dev.trickle.scheduler.SchedulerHarness.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * parallel_refresh_mode: 'on' runs independent stream tables concurrently, at most
 * max_dynamic_refresh_workers at once; 'off' runs one at a time. The refreshes are held up by a
 * lock on their sources, so what runs at once can be seen in pgt_jobs and worker_pool_status().
 */
class ParallelRefreshTest {
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
  void parallelModeRunsIndependentTablesConcurrentlyUpToTheWorkerLimit() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler());
        Connection lock = db.connectPlain()) {
      List<String> tables = unpopulatedStreamTables(c, "p", 5);
      holdSources(lock, "p", 5);
      SchedulerHarness.start(
          db,
          "trickle.parallel_refresh_mode", "on",
          "trickle.max_dynamic_refresh_workers", "4",
          "trickle.scheduler_interval_ms", "100");
      Await.until(
          Duration.ofSeconds(10),
          "four refreshes run and one waits",
          () -> jobs(c, "p").equals(List.of(List.of("QUEUED", "1"), List.of("RUNNING", "4"))));
      assertThat(rows(c, "SELECT active_workers, max_workers, parallel_mode"
              + " FROM pgtrickle.worker_pool_status()"))
          .containsExactly(List.of("4", "4", "on"));
      assertThat(value(c, "SELECT count(DISTINCT worker) FROM pgtrickle.pgt_jobs"
              + " WHERE status = 'RUNNING'"))
          .isEqualTo("4");

      lock.commit();
      awaitPopulated(c, tables);
      Await.until(
          Duration.ofSeconds(10),
          "parallel_job_status shows five completed jobs",
          () -> "5".equals(value(c, "SELECT count(*) FROM pgtrickle.parallel_job_status(60) j"
              + " WHERE j.status = 'COMPLETED' AND j.stream_table LIKE 'public.p%'")));
    }
  }

  @Test
  void serialModeRunsOneRefreshAtATime() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler());
        Connection lock = db.connectPlain()) {
      List<String> tables = unpopulatedStreamTables(c, "q", 3);
      holdSources(lock, "q", 3);
      SchedulerHarness.start(db, "trickle.scheduler_interval_ms", "100");
      Await.until(
          Duration.ofSeconds(10),
          "one refresh runs and two wait",
          () -> jobs(c, "q").equals(List.of(List.of("QUEUED", "2"), List.of("RUNNING", "1"))));
      assertThat(
              rows(c, "SELECT active_workers, parallel_mode FROM pgtrickle.worker_pool_status()"))
          .containsExactly(List.of("1", "off"));

      lock.commit();
      awaitPopulated(c, tables);
    }
  }

  /** Base tables prefix1..n with a row each, and unpopulated stream tables prefix1_count... */
  private static List<String> unpopulatedStreamTables(Connection c, String prefix, int n)
      throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      String table = prefix + i;
      execute(
          c,
          "CREATE TABLE " + table + " (id int PRIMARY KEY)",
          "INSERT INTO " + table + " VALUES (1)",
          "SELECT pgtrickle.create_stream_table('" + table + "_count',"
              + " 'SELECT count(*) AS n FROM " + table + "', '1s', initialize => false)");
      names.add(table + "_count");
    }
    return names;
  }

  /**
   * In serial mode a job's end is written with the next unit's first read: the journal still shows
   * every job of a chain completed, on one worker, each ending before the next started.
   */
  @Test
  void serialModeJournalsAChainJobByJob() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler())) {
      execute(
          c,
          "CREATE TABLE chain_src (v int)",
          "INSERT INTO chain_src VALUES (1)",
          "SELECT pgtrickle.create_stream_table('chain_sum',"
              + " 'SELECT sum(v) AS s FROM chain_src', 'calculated')",
          "SELECT pgtrickle.create_stream_table('chain_top',"
              + " 'SELECT s * 2 AS d FROM chain_sum', '1s')");
      SchedulerHarness.start(db, "trickle.scheduler_interval_ms", "100");
      execute(c, "INSERT INTO chain_src VALUES (2)");
      Await.until(
          Duration.ofSeconds(10),
          "chain_top shows the insert",
          () -> "6".equals(value(c, "SELECT d FROM chain_top")));
      Await.until(
          Duration.ofSeconds(10),
          "no job of the chain is queued or running",
          () -> jobs(c, "chain").isEmpty());
      String sumJob =
          "(SELECT max(j.job_id) FROM pgtrickle.pgt_jobs j"
              + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = 'chain_sum')";
      String topJob =
          "(SELECT min(j.job_id) FROM pgtrickle.pgt_jobs j"
              + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = 'chain_top'"
              + " AND j.job_id > " + sumJob + ")";
      assertThat(
              rows(
                  c,
                  "SELECT sum.status, top.status, sum.worker = top.worker,"
                      + " sum.started_at <= sum.finished_at, sum.finished_at <= top.started_at,"
                      + " top.started_at <= top.finished_at"
                      + " FROM pgtrickle.pgt_jobs sum, pgtrickle.pgt_jobs top"
                      + " WHERE sum.job_id = " + sumJob + " AND top.job_id = " + topJob))
          .containsExactly(List.of("COMPLETED", "COMPLETED", "t", "t", "t", "t"));
    }
  }

  /** Locks the base tables so that refreshes reading them wait, until {@code lock} commits. */
  private static void holdSources(Connection lock, String prefix, int n) throws Exception {
    lock.setAutoCommit(false);
    for (int i = 1; i <= n; i++) {
      execute(lock, "LOCK TABLE " + prefix + i + " IN ACCESS EXCLUSIVE MODE");
    }
  }

  /** The jobs of the stream tables named prefix..., counted by status. */
  private static List<List<String>> jobs(Connection c, String prefix) throws Exception {
    return rows(
        c,
        "SELECT j.status, count(*) FROM pgtrickle.pgt_jobs j"
            + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
            + " WHERE s.pgt_name LIKE '" + prefix + "%' AND j.status IN ('QUEUED', 'RUNNING')"
            + " GROUP BY j.status ORDER BY j.status");
  }

  private static void awaitPopulated(Connection c, List<String> tables) throws Exception {
    for (String table : tables) {
      Await.until(
          Duration.ofSeconds(10),
          table + " is populated",
          () -> "1".equals(value(c, "SELECT n FROM " + table)));
    }
  }
}
