package dev.trickle.scheduler;

import dev.trickle.catalog.DriverSettings;
import java.time.Duration;
import java.util.Properties;

/**
 * A second process for {@link LeaderElectionTest}: runs only a scheduler against the database
 * named by its arguments ({@code jdbc:postgresql:} URL, user, password), prints {@code LEADER}
 * once it leads, and runs until killed.
 */
public final class SchedulerProcess {
  private SchedulerProcess() {}

  /** Runs the scheduler. */
  public static void main(String[] args) throws Exception {
    Properties credentials = new Properties();
    credentials.setProperty("user", args[1]);
    credentials.setProperty("password", args[2]);
    RefreshScheduler scheduler =
        Schedulers.start(
            SchedulerTarget.of(args[0], credentials, DriverSettings.NONE),
            SchedulerHarness.engine());
    while (!scheduler.isLeader()) {
      Thread.sleep(20);
    }
    System.out.println("LEADER");
    System.out.flush();
    scheduler.awaitTermination(Duration.ofHours(1));
  }
}
