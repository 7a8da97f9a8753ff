package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static dev.trickle.scheduler.SchedulerHarness.rows;
import static dev.trickle.scheduler.SchedulerHarness.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.refresh.StatementBatch;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Queueing a pass's jobs: the first ones start at once on the worker that queues them, the rest
 * wait, and a stream table dropped since the pass read the catalog gets no job.
 */
class SchedulerJournalTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void queuesTheRestAndStartsTheFirst() throws Exception {
    try (Connection c = db.connectWithoutScheduler()) {
      execute(
          c,
          "CREATE EXTENSION pg_trickle",
          "CREATE TABLE src (id int PRIMARY KEY)",
          "SELECT pgtrickle.create_stream_table('a', 'SELECT id FROM src', schedule => '1h')",
          "SELECT pgtrickle.create_stream_table('b', 'SELECT id FROM src', schedule => '1h')",
          "SELECT pgtrickle.create_stream_table('c', 'SELECT id FROM src', schedule => '1h')");
      long a = id(c, "a");
      long b = id(c, "b");
      long dropped = id(c, "c");
      execute(c, "SELECT pgtrickle.drop_stream_table('c')");
      SchedulerJournal journal = new SchedulerJournal("host", 7);
      Map<Long, Long> jobs = new HashMap<>();
      StatementBatch batch = new StatementBatch();

      journal.enqueue(batch, List.of(a, dropped, b), 2, journal.worker(1), jobs::put);
      batch.run(c);

      assertThat(jobs).containsOnlyKeys(a, b);
      assertThat(
              rows(
                  c,
                  "SELECT s.pgt_name, j.status, j.worker, j.started_at IS NOT NULL"
                      + " FROM pgtrickle.pgt_jobs j JOIN pgtrickle.pgt_stream_tables s"
                      + " USING (pgt_id) ORDER BY j.job_id"))
          .containsExactly(
              List.of("a", "RUNNING", "host:7/worker-1", "t"),
              Arrays.asList("b", "QUEUED", null, "f"));
      assertThat(value(c, "SELECT min(job_id) FROM pgtrickle.pgt_jobs"))
          .isEqualTo(String.valueOf(jobs.get(a)));
    }
  }

  private static long id(Connection c, String name) throws Exception {
    return Long.parseLong(
        value(c, "SELECT pgt_id FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '" + name + "'"));
  }
}
