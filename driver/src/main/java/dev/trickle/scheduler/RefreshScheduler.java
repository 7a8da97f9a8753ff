package dev.trickle.scheduler;

import dev.trickle.capture.WalConsumer;
import dev.trickle.catalog.SchedulerLeadership;
import dev.trickle.refresh.RefreshEngine;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Keeps the stream tables of one database within their schedules: one per JVM and database (see
 * {@link Schedulers}), on its own daemon thread and its own connections.
 *
 * <p>Every scheduler of the database, in any JVM, opens a control connection and tries for the
 * leadership ({@link SchedulerLeadership#take}) about once a second; the one whose backend holds
 * it leads, the others stand by. When the leader's process dies its connection and backend end,
 * and a standby takes over within about a second; the leader confirms it still leads every
 * interval. Only a role that may update the catalog can take the leadership. The leader writes a
 * heartbeat ({@link SchedulerJournal}), {@code LISTEN}s on {@code pgtrickle_changes} (the capture
 * triggers notify it with the source's oid when a statement changes a source it armed, see {@link
 * ChangeWakeups}), and runs passes: read
 * the catalog and pending changes, plan ({@link RefreshPlanner}), run the plan ({@link
 * RefreshWorkers}). It runs a pass as soon as a change notification arrives that a reader may
 * refresh, when a paced or backed-off unit or a cron time comes due, and at least every {@code
 * pg_trickle.scheduler_interval_ms} (which also covers notifications sent while no leader
 * listened). Settings are re-read every interval. While it leads, a {@link WalConsumer} on a
 * thread of its own moves sources between trigger and WAL capture and consumes the database's
 * replication slot into the change buffers.
 *
 * <p>{@link #stop} lets a running refresh finish (a killed JVM rolls it back instead), releases the
 * leadership and closes the connections. The scheduler also stops by itself when its database is
 * dropped or its catalog stays absent for {@link #CATALOG_GRACE}.
 */
public final class RefreshScheduler {
  /** How long a scheduler waits for the catalog to appear (or come back) before it stops. */
  static final Duration CATALOG_GRACE = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(RefreshScheduler.class);
  private static final Duration STANDBY_RETRY = Duration.ofSeconds(1);
  private static final Duration MAX_RECONNECT_WAIT = Duration.ofSeconds(30);
  private static final int LONGEST_NOTIFICATION_WAIT_MS = 500;
  private static final String CHANNEL = "pgtrickle_changes";

  private final SchedulerTarget target;
  private final Runnable onExit;
  private final Clock clock = Clock.systemUTC();
  private final SettingsReader settingsReader;
  private final SchedulerCatalog catalog = new SchedulerCatalog();
  private final RefreshPlanner planner = new RefreshPlanner(ZoneId.systemDefault());
  private final UnitMemory memory = new UnitMemory();
  private final SchedulerJournal journal =
      new SchedulerJournal(hostName(), ProcessHandle.current().pid());
  private final RefreshWorkers workers;
  private final CountDownLatch exited = new CountDownLatch(1);
  private final Object sleeper = new Object();
  private final Thread thread;

  private volatile boolean stopping;
  private volatile boolean leader;
  /** Whether the refusal to lead (the role may not update the catalog) was logged. */
  private boolean refusedLeadership;
  private volatile long passes;
  /**
   * Whether a source may be missing from the wake-up list ({@link ChangeWakeups}): after taking the
   * leadership, a disarm, and once per interval (for sources captured since); the next pass arms
   * them all first.
   */
  private boolean wakeupsToArm = true;
  private Connection control;
  /** The consumer of the database's WAL capture slot, running while this scheduler leads. */
  private WalConsumer walConsumer;
  private SchedulerSettings settings = SchedulerSettings.DEFAULTS;
  private Instant settingsReadAt = Instant.EPOCH;
  private Set<Long> storageRelids = Set.of();

  /**
   * A scheduler of the target's database whose refreshes run on {@code engine}, the one the driver
   * built where it started; {@code onExit} runs when it has stopped.
   */
  RefreshScheduler(SchedulerTarget target, RefreshEngine engine, Runnable onExit) {
    this.target = target;
    this.onExit = onExit;
    this.settingsReader = new SettingsReader(target.settings());
    this.workers =
        new RefreshWorkers(
            target,
            new UnitRefresher(engine),
            journal,
            memory,
            clock);
    this.thread = new Thread(this::run, "trickle-scheduler-" + target.key());
    thread.setDaemon(true);
  }

  /** Starts the scheduler's thread. */
  void start() {
    thread.start();
  }

  /** The database, as {@code host:port/database}. */
  public String database() {
    return target.key();
  }

  /** True while this scheduler leads its database. */
  public boolean isLeader() {
    return leader;
  }

  /** True until the scheduler has stopped. */
  public boolean isRunning() {
    return exited.getCount() > 0;
  }

  /**
   * Stops the scheduler and waits up to {@code timeout} for it: a refresh in progress finishes,
   * then the leadership is released and the connections closed.
   *
   * @return true when it stopped within the timeout
   */
  public boolean stop(Duration timeout) {
    stopping = true;
    synchronized (sleeper) {
      sleeper.notifyAll();
    }
    return awaitTermination(timeout);
  }

  /** Waits up to {@code timeout} for the scheduler to stop; true when it has. */
  public boolean awaitTermination(Duration timeout) {
    try {
      return exited.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !isRunning();
    }
  }

  @Override
  public String toString() {
    return "RefreshScheduler[" + target.key() + (leader ? ", leader" : ", standby") + "]";
  }

  private void run() {
    LOG.atInfo().log(() -> "scheduler for " + target.key() + " started");
    try {
      loop();
    } catch (RuntimeException | Error e) {
      LOG.atError().setCause(e).log(() -> "scheduler for " + target.key() + " failed");
    } finally {
      resign();
      closeControl();
      workers.close();
      LOG.atInfo().log(() -> "scheduler for " + target.key() + " stopped");
      onExit.run();
      exited.countDown();
    }
  }

  private void loop() {
    Instant catalogMissingSince = null;
    Duration reconnectWait = STANDBY_RETRY;
    while (!stopping) {
      try {
        if (control == null) {
          control = target.open("control");
          settingsReadAt = Instant.EPOCH;
        }
        if (housekeepingDue()) {
          SchedulerCatalog.Readiness catalogState = SchedulerCatalog.prepare(control);
          if (catalogState == SchedulerCatalog.Readiness.NEWER) {
            LOG.atWarn().log(
                () -> "the Trickle catalog in " + target.key() + " is newer than this driver;"
                    + " its scheduler stops (upgrade the driver)");
            return;
          }
          if (catalogState == SchedulerCatalog.Readiness.ABSENT) {
            Instant now = clock.instant();
            catalogMissingSince = catalogMissingSince == null ? now : catalogMissingSince;
            if (Duration.between(catalogMissingSince, now).compareTo(CATALOG_GRACE) >= 0) {
              LOG.atInfo().log(() -> "the Trickle catalog is not installed in " + target.key());
              return;
            }
            resign();
            sleep(STANDBY_RETRY);
            continue;
          }
          catalogMissingSince = null;
          refreshSettings();
        }
        if (!settings.enabled()) {
          resign();
          sleep(settings.interval());
          continue;
        }
        if (!leader && !lead()) {
          sleep(STANDBY_RETRY);
          continue;
        }
        RefreshPlan plan = pass();
        reconnectWait = STANDBY_RETRY;
        awaitWork(plan);
      } catch (SQLException e) {
        if ("3D000".equals(e.getSQLState())) {
          LOG.atInfo().log(() -> "database " + target.key() + " no longer exists");
          return;
        }
        Duration wait = reconnectWait;
        String what =
            UnitRefresher.isConnectionFailure(e) ? "lost its connection" : "failed a pass";
        LOG.atLevel(leader ? Level.WARN : Level.DEBUG)
            .log(
            () -> "scheduler for " + target.key() + " " + what + " (" + e.getMessage()
                + "); reconnecting in " + wait.toSeconds() + " s");
        closeControl();
        sleep(wait);
        reconnectWait = reconnectWait.multipliedBy(2);
        if (reconnectWait.compareTo(MAX_RECONNECT_WAIT) > 0) {
          reconnectWait = MAX_RECONNECT_WAIT;
        }
      }
    }
  }

  /**
   * True once per interval (and right after connecting, and while the catalog is absent): time to
   * check the catalog, re-read the settings and, as leader, write the heartbeat.
   */
  private boolean housekeepingDue() {
    return Duration.between(settingsReadAt, clock.instant()).compareTo(settings.interval()) >= 0;
  }

  /** Tries for the leadership; on success listens and starts the heartbeat. */
  private boolean lead() throws SQLException {
    try {
      if (!SchedulerLeadership.take(control)) {
        return false;
      }
    } catch (SQLException e) {
      if (!"42501".equals(e.getSQLState())) {
        throw e;
      }
      if (!refusedLeadership) {
        refusedLeadership = true;
        LOG.atWarn().log(
            () -> "scheduler for " + target.key() + " may not lead: its role cannot update the"
                + " Trickle catalog (" + e.getMessage() + "); it stands by");
      }
      return false;
    }
    try (Statement st = control.createStatement()) {
      st.execute("LISTEN " + CHANNEL);
    }
    NotificationPeek.skip(control);
    journal.lead(control, settings);
    leader = true;
    walConsumer =
        new WalConsumer(
            target.key(),
            new WalConsumer.Connections() {
              @Override
              public Connection plain(String purpose) throws SQLException {
                return target.openDurable(purpose);
              }

              @Override
              public Connection replication() throws SQLException {
                return target.openReplication();
              }
            },
            settings.interval());
    walConsumer.start();
    wakeupsToArm = true;
    settingsReadAt = clock.instant();
    LOG.atInfo().log(
        () -> "scheduler for " + target.key() + " leads (parallel_refresh_mode "
            + settings.parallelMode() + ")");
    return true;
  }

  /** How many passes this scheduler has run as leader (for tests and diagnostics). */
  long passes() {
    return passes;
  }

  /** One pass: plans from the catalog and runs the plan; returns the plan. */
  private RefreshPlan pass() throws SQLException {
    passes++;
    if (wakeupsToArm) {
      ChangeWakeups.arm(control);
      wakeupsToArm = false;
    }
    SchedulerCatalog.State state = catalog.read(control);
    RefreshGraph graph = RefreshGraph.build(state.nodes(), state.edges());
    Set<Long> relids = new HashSet<>();
    state.nodes().stream().filter(n -> !n.immediate()).forEach(n -> relids.add(n.relid()));
    storageRelids = relids;
    memory.retain(graph.units());
    RefreshPlan plan = planner.plan(graph, state.pending(), memory, clock.instant());
    if (!plan.isEmpty()) {
      LOG.atTrace().log(() -> "pass refreshes " + plan.units().size() + " unit(s)");
      workers.run(control, plan, settings, () -> stopping);
    }
    // after the refreshes, out of their way: what was current at the check stays so
    SchedulerCatalog.confirm(control, plan.confirmed(), state.checkedAt());
    return plan;
  }

  /** Re-reads the settings and, as leader, writes the heartbeat. */
  private void refreshSettings() throws SQLException {
    Instant now = clock.instant();
    SchedulerSettings previous = settings;
    settings = settingsReader.read(control);
    settingsReadAt = now;
    if (!previous.equals(settings)) {
      LOG.atInfo().log(() -> "scheduler for " + target.key() + " settings: " + settings);
    }
    if (!settings.enabled() && leader) {
      LOG.atInfo().log(() -> "pg_trickle.enabled is off: scheduler for " + target.key() + " idles");
    }
    if (leader && !SchedulerLeadership.take(control)) {
      LOG.atWarn().log(() -> "scheduler for " + target.key() + " lost its leadership");
      resign();
    }
    if (leader && settings.enabled()) {
      journal.beat(control, settings, now);
      wakeupsToArm = true;
    }
  }

  /**
   * Waits until the plan's next wake (at most one interval), or until a change notification
   * arrives about a relation whose readers may refresh now; about one whose readers are paced or
   * backing off, it waits until they may, and disarms it ({@link ChangeWakeups}): its further
   * changes cannot make a refresh come sooner. Notifications about stream tables the scheduler
   * refreshes are ignored: their readers were handled in the same pass (the readers of a manual
   * refresh are picked up at the next interval).
   */
  private void awaitWork(RefreshPlan plan) throws SQLException {
    Instant deadline = clock.instant().plus(settings.interval());
    if (plan.nextWake() != null && plan.nextWake().isBefore(deadline)) {
      deadline = plan.nextWake();
    }
    PGConnection listener = control.unwrap(PGConnection.class);
    while (!stopping) {
      long wait = Duration.between(clock.instant(), deadline).toMillis();
      if (wait <= 0) {
        return;
      }
      PGNotification[] notifications =
          listener.getNotifications((int) Math.min(wait, LONGEST_NOTIFICATION_WAIT_MS));
      for (PGNotification n : notifications == null ? new PGNotification[0] : notifications) {
        Long relid = relid(n.getParameter());
        if (relid != null && storageRelids.contains(relid)) {
          continue;
        }
        Instant due = relid == null ? null : plan.changeDueAt().get(relid);
        if (due == null || !due.isAfter(clock.instant())) {
          return;
        }
        ChangeWakeups.disarm(control, relid);
        wakeupsToArm = true;
        if (due.isBefore(deadline)) {
          deadline = due;
        }
      }
    }
  }

  private static Long relid(String payload) {
    try {
      return Long.valueOf(payload);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Gives up the leadership, if held: heartbeat, notifications and the leadership row. */
  private void resign() {
    stopWalConsumer();
    if (leader && control != null) {
      leader = false;
      try (Statement st = control.createStatement()) {
        journal.retire(control);
        ChangeWakeups.clear(control);
        st.execute("UNLISTEN " + CHANNEL);
        SchedulerLeadership.resign(control);
      } catch (SQLException e) {
        LOG.atDebug().setCause(e).log(() -> "could not resign cleanly; closing the connection");
        closeControl();
      }
      LOG.atInfo().log(() -> "scheduler for " + target.key() + " no longer leads");
    }
  }

  private void stopWalConsumer() {
    if (walConsumer != null) {
      walConsumer.close();
      walConsumer = null;
    }
  }

  private void closeControl() {
    stopWalConsumer();
    leader = false;
    if (control != null) {
      try {
        control.close();
      } catch (SQLException ignored) {
        // a broken connection; the server cleans up its session
      }
      control = null;
    }
  }

  private void sleep(Duration duration) {
    synchronized (sleeper) {
      if (!stopping) {
        try {
          sleeper.wait(Math.max(1, duration.toMillis()));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stopping = true;
        }
      }
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown-host";
    }
  }
}
