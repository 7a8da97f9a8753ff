package dev.trickle.scheduler;

import dev.trickle.refresh.RefreshEngine;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The running schedulers of this JVM, one per database ({@link SchedulerTarget#key()}), shared by
 * every connection and DataSource that reaches it. The driver asks for one when it connects and
 * after each stream-table command ({@link #startIfInstalled}); the standalone {@code trickle
 * scheduler} starts one directly ({@link #start}). Each refreshes through the {@link
 * RefreshEngine} it is given: the driver's one engine, built where the driver starts. All of them
 * stop at JVM exit (a shutdown hook) and when the driver is deregistered ({@link #stopAll}).
 */
public final class Schedulers {
  /** How long stopping waits for a refresh in progress to finish. */
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private static final Map<String, RefreshScheduler> RUNNING = new HashMap<>();
  private static boolean hookInstalled;

  private Schedulers() {}

  /**
   * Starts the scheduler for the target's database unless one runs already, provided the database
   * has a Trickle catalog and {@code pg_trickle.enabled} is not off, both checked with one query
   * on {@code connection} (the application's connection; only when no scheduler runs yet).
   */
  public static void startIfInstalled(
      SchedulerTarget target, RefreshEngine engine, Connection connection) throws SQLException {
    if (running(target.key()).isPresent()) {
      return;
    }
    try (Statement st = connection.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT to_regclass('pgtrickle.pgt_meta') IS NOT NULL AS installed,"
                    + " current_setting('pg_trickle.enabled', true) AS enabled")) {
      rs.next();
      String enabled = rs.getString("enabled");
      if (!rs.getBoolean("installed")
          || (enabled != null
              && List.of("off", "false", "no", "0")
                  .contains(enabled.strip().toLowerCase(Locale.ROOT)))) {
        return;
      }
    }
    start(target, engine);
  }

  /**
   * The scheduler for the target's database: the running one, or a new one started now that
   * refreshes through {@code engine}.
   */
  public static synchronized RefreshScheduler start(
      SchedulerTarget target, RefreshEngine engine) {
    RefreshScheduler existing = RUNNING.get(target.key());
    if (existing != null) {
      return existing;
    }
    if (!hookInstalled) {
      Runtime.getRuntime()
          .addShutdownHook(new Thread(Schedulers::stopAll, "trickle-scheduler-shutdown"));
      hookInstalled = true;
    }
    RefreshScheduler[] created = new RefreshScheduler[1];
    created[0] = new RefreshScheduler(target, engine, () -> forget(created[0]));
    RUNNING.put(target.key(), created[0]);
    created[0].start();
    return created[0];
  }

  /** The scheduler running for a database ({@code host:port/database}), if any. */
  public static synchronized Optional<RefreshScheduler> running(String key) {
    return Optional.ofNullable(RUNNING.get(key));
  }

  /** Stops every scheduler of this JVM, each waiting up to {@link #STOP_TIMEOUT}. */
  public static void stopAll() {
    List<RefreshScheduler> all;
    synchronized (Schedulers.class) {
      all = new ArrayList<>(RUNNING.values());
    }
    all.forEach(s -> s.stop(Duration.ZERO));
    all.forEach(s -> s.awaitTermination(STOP_TIMEOUT));
  }

  private static synchronized void forget(RefreshScheduler scheduler) {
    RUNNING.remove(scheduler.database(), scheduler);
  }
}
