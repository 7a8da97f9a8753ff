package dev.trickle.scheduler;

import dev.trickle.refresh.StatementBatch;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link RefreshPlan} on the scheduler's worker connections. With {@code
 * parallel_refresh_mode = 'off'} every unit runs on one connection, in the calling thread, in
 * topological order. With {@code 'on'}, the units of one depth run concurrently on a fixed pool of
 * {@code max_dynamic_refresh_workers} daemon threads, each holding one connection for the unit, and
 * the next depth starts when all of them are done. Connections are opened on demand with the
 * target's URL and credentials, kept between passes, and discarded after a connection failure.
 * Every unit is journaled as jobs ({@link SchedulerJournal}): a job's start goes with the unit's
 * first read; in serial mode its end goes with the next unit's first read (or right after the
 * plan's last refresh), so the journal adds no round trip to the way of a change up its chain. The
 * outcome feeds the {@link UnitMemory}.
 */
final class RefreshWorkers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RefreshWorkers.class);

  /** A worker connection and its number (shown in {@code pgt_jobs.worker}). */
  private record Slot(int number, Connection connection) {}

  private final SchedulerTarget target;
  private final UnitRefresher refresher;
  private final SchedulerJournal journal;
  private final UnitMemory memory;
  private final Clock clock;
  private final Deque<Slot> idle = new ArrayDeque<>();
  private final Set<Slot> all = new HashSet<>();
  private final Map<Slot, StatementBatch> unsent = new HashMap<>();
  private final AtomicInteger threads = new AtomicInteger();
  private ExecutorService pool;
  private int poolSize;

  RefreshWorkers(
      SchedulerTarget target,
      UnitRefresher refresher,
      SchedulerJournal journal,
      UnitMemory memory,
      Clock clock) {
    this.target = target;
    this.refresher = refresher;
    this.journal = journal;
    this.memory = memory;
    this.clock = clock;
  }

  /** How a unit's jobs are journaled as started: added to the unit's first round trip. */
  @FunctionalInterface
  private interface JobStart {
    void add(StatementBatch ahead, String worker);
  }

  /**
   * Runs the plan; stops starting units once {@code stopping} says so (what runs finishes).
   *
   * <p>In serial mode the jobs are queued with the first unit's first round trip, its own already
   * running, so queueing adds no round trip before the first refresh; should that round trip fail,
   * the next unit queues what is left. In parallel mode they are queued on {@code control} first.
   *
   * @param control the leader connection
   */
  void run(
      Connection control, RefreshPlan plan, SchedulerSettings settings, BooleanSupplier stopping)
      throws SQLException {
    Map<Long, Long> jobs = new ConcurrentHashMap<>();
    List<Long> unstarted = new ArrayList<>();
    List<RefreshUnit> refreshed = Collections.synchronizedList(new ArrayList<>());
    if (!settings.parallel()) {
      serialMode();
      List<RefreshUnit> units = plan.units();
      for (int i = 0; i < units.size(); i++) {
        RefreshUnit unit = units.get(i);
        if (stopping.getAsBoolean()) {
          unstarted.addAll(jobsOf(unit, jobs));
          continue;
        }
        List<RefreshUnit> fromHere = units.subList(i, units.size());
        JobStart start =
            (ahead, worker) -> {
              if (jobs.isEmpty()) {
                journal.enqueue(
                    ahead, pgtIds(fromHere), unit.members().size(), worker, jobs::put);
              } else {
                journal.started(ahead, jobsOf(unit, jobs), worker);
              }
            };
        runUnit(unit, start, jobs, settings, refreshed);
      }
    } else {
      StatementBatch queue = new StatementBatch();
      journal.enqueue(queue, pgtIds(plan.units()), 0, null, jobs::put);
      queue.run(control);
      ExecutorService executor = parallelMode(settings.maxWorkers());
      for (List<RefreshUnit> level : plan.levels()) {
        if (stopping.getAsBoolean()) {
          level.forEach(u -> unstarted.addAll(jobsOf(u, jobs)));
          continue;
        }
        List<Future<?>> running = new ArrayList<>();
        for (RefreshUnit unit : level) {
          JobStart start = (ahead, worker) -> journal.started(ahead, jobsOf(unit, jobs), worker);
          running.add(executor.submit(() -> runUnit(unit, start, jobs, settings, refreshed)));
        }
        awaitAll(running);
      }
    }
    if (!unstarted.isEmpty()) {
      journal.withdraw(control, unstarted);
    }
    sendUnsentJournal();
    cleanUp(refreshed);
  }

  /**
   * The journal writes a worker connection has not sent yet (the end of its last unit), to go with
   * its next round trip; empty when there are none.
   */
  private synchronized StatementBatch unsentJournal(Slot slot) {
    StatementBatch batch = unsent.remove(slot);
    return batch == null ? new StatementBatch() : batch;
  }

  private synchronized void keepUnsent(Slot slot, StatementBatch batch) {
    unsent.put(slot, batch);
  }

  /** Sends what the worker connections have not sent of the journal, after the plan's refreshes. */
  private void sendUnsentJournal() {
    Map<Slot, StatementBatch> pending;
    synchronized (this) {
      pending = new HashMap<>(unsent);
      unsent.clear();
    }
    pending.forEach(
        (slot, batch) -> {
          try {
            batch.run(slot.connection());
          } catch (SQLException e) {
            LOG.atWarn().log(
                () -> "worker connection failed while journaling finished jobs: " + e.getMessage());
            discard(slot);
          }
        });
  }

  /**
   * Cleans up the change buffers the refreshed units consumed, after the whole plan ran: cleanup
   * is not on the way of a change to the top of its chain.
   */
  private void cleanUp(List<RefreshUnit> units) {
    if (units.isEmpty()) {
      return;
    }
    Slot slot = null;
    try {
      slot = borrow();
      for (RefreshUnit unit : units) {
        refresher.cleanUp(slot.connection(), unit);
      }
      giveBack(slot);
    } catch (SQLException e) {
      LOG.atWarn()
          .log(
              () ->
                  "worker connection failed while cleaning up change buffers (the next pass"
                      + " retries): "
                      + e.getMessage());
      if (slot != null) {
        discard(slot);
      }
    }
  }

  /** Waits for running units, shuts the pool down and closes every connection. */
  @Override
  public synchronized void close() {
    if (pool != null) {
      pool.shutdown();
      try {
        pool.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      pool = null;
    }
    for (Slot slot : all) {
      closeQuietly(slot.connection());
    }
    all.clear();
    idle.clear();
  }

  /** The stream tables of {@code units}, in order. */
  private static List<Long> pgtIds(List<RefreshUnit> units) {
    List<Long> ids = new ArrayList<>();
    units.forEach(u -> u.members().forEach(m -> ids.add(m.pgtId())));
    return ids;
  }

  /** The queued jobs of {@code unit}'s members (none for a member dropped, or not yet queued). */
  private static List<Long> jobsOf(RefreshUnit unit, Map<Long, Long> jobs) {
    List<Long> ids = new ArrayList<>();
    for (StreamTableNode member : unit.members()) {
      Long job = jobs.get(member.pgtId());
      if (job != null) {
        ids.add(job);
      }
    }
    return ids;
  }

  private void runUnit(
      RefreshUnit unit,
      JobStart jobStart,
      Map<Long, Long> jobs,
      SchedulerSettings settings,
      List<RefreshUnit> refreshed) {
    Instant start = clock.instant();
    UnitRefresher.Result result;
    Slot slot = null;
    try {
      slot = borrow();
      StatementBatch ahead = unsentJournal(slot);
      jobStart.add(ahead, journal.worker(slot.number()));
      result = refresher.refresh(slot.connection(), unit, settings.maxConsecutiveErrors(), ahead);
      StatementBatch after = new StatementBatch();
      if (result == UnitRefresher.Result.SKIPPED) {
        journal.withdraw(after, jobsOf(unit, jobs));
      } else {
        journal.finished(after, jobsOf(unit, jobs), result == UnitRefresher.Result.REFRESHED);
      }
      if (settings.parallel()) {
        after.run(slot.connection());
      } else {
        keepUnsent(slot, after);
      }
      giveBack(slot);
    } catch (SQLException e) {
      LOG.atWarn().log(() -> "worker connection failed while refreshing [" + unit.describe() + "]: "
              + e.getMessage());
      if (slot != null) {
        discard(slot);
      }
      result = UnitRefresher.Result.FAILED;
    } catch (RuntimeException e) {
      LOG.atError()
          .setCause(e)
          .log(() -> "unexpected failure refreshing [" + unit.describe() + "]");
      if (slot != null) {
        discard(slot);
      }
      result = UnitRefresher.Result.FAILED;
    }
    if (result == UnitRefresher.Result.REFRESHED) {
      memory.refreshed(unit, start);
      refreshed.add(unit);
    } else if (result == UnitRefresher.Result.FAILED) {
      memory.failed(unit, clock.instant(), settings.interval());
    }
  }

  private synchronized Slot borrow() throws SQLException {
    Slot slot = idle.poll();
    if (slot != null) {
      return slot;
    }
    Set<Integer> used = new HashSet<>();
    all.forEach(s -> used.add(s.number()));
    int number = 1;
    while (used.contains(number)) {
      number++;
    }
    slot = new Slot(number, target.open("worker " + number));
    all.add(slot);
    return slot;
  }

  private synchronized void giveBack(Slot slot) {
    if (all.contains(slot)) {
      idle.push(slot);
    }
  }

  private synchronized void discard(Slot slot) {
    unsent.remove(slot);
    all.remove(slot);
    idle.remove(slot);
    closeQuietly(slot.connection());
  }

  /** One connection, no threads: units run in the caller's thread. */
  private synchronized void serialMode() {
    trim(1);
    if (pool != null) {
      pool.shutdown();
      pool = null;
    }
  }

  /** A pool of {@code workers} threads and at most as many idle connections. */
  private synchronized ExecutorService parallelMode(int workers) {
    trim(workers);
    if (pool == null || poolSize != workers) {
      if (pool != null) {
        pool.shutdown();
      }
      poolSize = workers;
      pool =
          Executors.newFixedThreadPool(
              workers,
              r -> {
                Thread t =
                    new Thread(
                        r, "trickle-refresh-" + target.key() + "-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
    }
    return pool;
  }

  private void trim(int connections) {
    while (idle.size() > connections) {
      discard(idle.peekLast());
    }
  }

  private static void awaitAll(List<Future<?>> running) {
    for (Future<?> future : running) {
      try {
        future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException e) {
        LOG.atError().setCause(e.getCause()).log(() -> "a refresh worker failed unexpectedly");
      }
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing a broken connection; nothing left to release
    }
  }
}
