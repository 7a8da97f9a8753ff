package dev.trickle.spring;

import dev.trickle.catalog.DriverSettings;
import dev.trickle.scheduler.RefreshScheduler;
import dev.trickle.scheduler.SchedulerTarget;
import dev.trickle.scheduler.Schedulers;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import org.springframework.context.SmartLifecycle;

/**
 * Stops this database's refresh scheduler when the application context stops, before the pool and
 * the beans the application's own shutdown needs are destroyed: a refresh in progress finishes (up
 * to {@link Schedulers#STOP_TIMEOUT}), the leadership is released for another instance, the
 * scheduler's connections close. Without it the scheduler would run until the JVM's shutdown hook.
 */
final class SchedulerLifecycle implements SmartLifecycle {
  private final String database;
  private volatile boolean running;

  /** For the database a {@code jdbc:trickle:} URL names. */
  SchedulerLifecycle(String trickleUrl) throws SQLException {
    String pgjdbcUrl = "jdbc:" + trickleUrl.substring(TrickleUrlCondition.PREFIX.length());
    this.database = SchedulerTarget.of(pgjdbcUrl, new Properties(), DriverSettings.NONE).key();
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    scheduler().ifPresent(s -> s.stop(Schedulers.STOP_TIMEOUT));
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** The scheduler of this JVM for the database, if one runs. */
  Optional<RefreshScheduler> scheduler() {
    return Schedulers.running(database);
  }
}
