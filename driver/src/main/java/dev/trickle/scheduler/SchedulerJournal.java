package dev.trickle.scheduler;

import dev.trickle.refresh.StatementBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * What the leading scheduler writes for monitoring ({@code worker_pool_status()}, {@code
 * parallel_job_status()}, {@code health_check()}): its heartbeat row in {@code
 * pgtrickle.pgt_scheduler} and one row per refresh job in {@code pgtrickle.pgt_jobs}. Rows left by
 * a leader that died are cleaned up by the next one; finished jobs are kept for {@link #KEEP_JOBS},
 * refresh history for {@code pg_trickle.history_retention_days} ({@link HistoryRetention}).
 */
final class SchedulerJournal {
  /** How long finished job rows are kept. */
  static final Duration KEEP_JOBS = Duration.ofHours(1);

  private final String host;
  private final long pid;
  private Instant lastPrune = Instant.EPOCH;

  /** The journal of the scheduler in process {@code pid} on {@code host}. */
  SchedulerJournal(String host, long pid) {
    this.host = host;
    this.pid = pid;
  }

  /** The name of one of this process's workers, as {@code pgt_jobs.worker} shows it. */
  String worker(int number) {
    return host + ':' + pid + "/worker-" + number;
  }

  /**
   * Starts a term as leader: replaces every heartbeat row by this scheduler's (only the leader
   * writes one, so others are left by dead leaders) and marks jobs they left unfinished as failed.
   */
  void lead(Connection c, SchedulerSettings settings) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM pgtrickle.pgt_scheduler")) {
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO pgtrickle.pgt_scheduler (host, pid, max_workers, parallel_mode)"
                + " VALUES (?, ?, ?, ?)")) {
      ps.setString(1, host);
      ps.setLong(2, pid);
      ps.setInt(3, settings.maxWorkers());
      ps.setString(4, settings.parallelMode());
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE pgtrickle.pgt_jobs SET status = 'FAILED', finished_at = now()"
                + " WHERE status IN ('QUEUED', 'RUNNING')")) {
      ps.executeUpdate();
    }
  }

  /** Records a tick with the settings in force; once a minute prunes old jobs and history. */
  void beat(Connection c, SchedulerSettings settings, Instant now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE pgtrickle.pgt_scheduler SET last_tick = now(), max_workers = ?,"
                + " parallel_mode = ? WHERE host = ? AND pid = ?")) {
      ps.setInt(1, settings.maxWorkers());
      ps.setString(2, settings.parallelMode());
      ps.setString(3, host);
      ps.setLong(4, pid);
      ps.executeUpdate();
    }
    if (Duration.between(lastPrune, now).toMinutes() >= 1) {
      lastPrune = now;
      try (PreparedStatement ps =
          c.prepareStatement(
              "DELETE FROM pgtrickle.pgt_jobs WHERE status IN ('COMPLETED', 'FAILED')"
                  + " AND enqueued_at < now() - make_interval(secs => ?)")) {
        ps.setLong(1, KEEP_JOBS.toSeconds());
        ps.executeUpdate();
      }
      HistoryRetention.prune(c, settings.historyRetentionDays());
    }
  }

  /** Ends the term: removes this scheduler's heartbeat. */
  void retire(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM pgtrickle.pgt_scheduler WHERE host = ? AND pid = ?")) {
      ps.setString(1, host);
      ps.setLong(2, pid);
      ps.executeUpdate();
    }
  }

  /**
   * Adds the queueing of one job per stream table in {@code pgtIds} (in order) to {@code batch};
   * the first {@code running} of them are started at once by {@code worker} (null when none are).
   * Stream tables dropped since the pass read the catalog get no job. When the batch runs, {@code
   * queued} receives each job's stream table and id.
   */
  void enqueue(
      StatementBatch batch,
      List<Long> pgtIds,
      int running,
      String worker,
      BiConsumer<Long, Long> queued) {
    batch.addQueryWithValues(
        "INSERT INTO pgtrickle.pgt_jobs (pgt_id, status, worker, started_at)"
            + " SELECT q.id, CASE WHEN q.n <= p.running THEN 'RUNNING' ELSE 'QUEUED' END,"
            + " CASE WHEN q.n <= p.running THEN p.worker END,"
            + " CASE WHEN q.n <= p.running THEN clock_timestamp() END"
            + " FROM unnest(?::bigint[]) WITH ORDINALITY AS q (id, n),"
            + " (SELECT ?::int AS running, ?::text AS worker) AS p"
            + " WHERE EXISTS (SELECT FROM pgtrickle.pgt_stream_tables s WHERE s.pgt_id = q.id)"
            + " ORDER BY q.n RETURNING pgt_id, job_id",
        rows -> {
          while (rows.next()) {
            queued.accept(rows.getLong("pgt_id"), rows.getLong("job_id"));
          }
        },
        idArray(pgtIds),
        running,
        worker);
  }

  /**
   * Adds the marking of jobs as running on {@code worker} to {@code batch}: a worker sends it with
   * the first read of the refresh, so it costs no round trip of its own.
   */
  void started(StatementBatch batch, List<Long> jobs, String worker) {
    batch.addWithValues(
        "UPDATE pgtrickle.pgt_jobs SET status = 'RUNNING', worker = ?,"
            + " started_at = clock_timestamp() WHERE job_id = ANY (?::bigint[])",
        worker,
        idArray(jobs));
  }

  /** Removes jobs that were not run (their stream table was busy or no longer refreshable). */
  void withdraw(Connection c, List<Long> jobs) throws SQLException {
    StatementBatch batch = new StatementBatch();
    withdraw(batch, jobs);
    batch.run(c);
  }

  /** Adds the removal of jobs that were not run to {@code batch}. */
  void withdraw(StatementBatch batch, List<Long> jobs) {
    batch.addWithValues(
        "DELETE FROM pgtrickle.pgt_jobs WHERE job_id = ANY (?::bigint[])", idArray(jobs));
  }

  /**
   * Adds the marking of jobs as finished to {@code batch}; the time is the server's when the batch
   * runs, so a worker sends it at once or with a round trip that follows right after.
   */
  void finished(StatementBatch batch, List<Long> jobs, boolean completed) {
    batch.addWithValues(
        "UPDATE pgtrickle.pgt_jobs SET status = ?, finished_at = clock_timestamp()"
            + " WHERE job_id = ANY (?::bigint[])",
        completed ? "COMPLETED" : "FAILED",
        idArray(jobs));
  }

  /** The ids as a {@code bigint[]} literal's text, bound as a value. */
  private static String idArray(List<Long> jobs) {
    return jobs.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
  }
}
