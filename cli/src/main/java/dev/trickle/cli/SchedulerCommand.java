package dev.trickle.cli;

import dev.trickle.jdbc.TrickleDriver;
import dev.trickle.scheduler.RefreshScheduler;
import dev.trickle.scheduler.Schedulers;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code trickle scheduler --url URL}: runs only the background refresh scheduler of one database,
 * for deployments that keep refresh work out of application processes (which then connect with
 * {@code trickle.scheduler=false}). It stands by until it wins the database's leadership, logs
 * every refresh on stderr, and stops cleanly on SIGTERM or Ctrl-C: a refresh in progress finishes,
 * the leadership is released.
 */
@Command(
    name = "scheduler",
    description =
        "Run only the background refresh scheduler of a database, logging what it does, until"
            + " SIGTERM or Ctrl-C.")
final class SchedulerCommand implements Callable<Integer> {
  @Mixin ConnectionOptions connection;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if (connection.url == null || connection.dataDirectory != null) {
      err.println(
          "ERROR: trickle scheduler needs --url (and no --data-dir): the database to serve");
      err.flush();
      return 1;
    }
    try {
      ConnectionUrl target = connection.target();
      SchedulerLog.verbose();
      RefreshScheduler scheduler =
          TrickleDriver.startScheduler(target.jdbcUrl(), target.properties());
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> stop(scheduler, err), "trickle-scheduler-stop"));
      while (!scheduler.awaitTermination(Duration.ofDays(1))) {
        // runs until stopped: SIGTERM and Ctrl-C run the shutdown hook
      }
      return 0;
    } catch (SQLException e) {
      ServerMessages.error(e).forEach(err::println);
    } catch (IllegalArgumentException e) {
      err.println("ERROR: " + e.getMessage());
    }
    err.flush();
    return 1;
  }

  /** At JVM exit: lets a refresh in progress finish, releases the leadership, says so. */
  private static void stop(RefreshScheduler scheduler, PrintWriter err) {
    boolean stopped = scheduler.stop(Schedulers.STOP_TIMEOUT);
    synchronized (err) {
      err.println(
          stopped
              ? "trickle scheduler: stopped"
              : "trickle scheduler: a refresh did not finish in time; exiting rolls it back");
      err.flush();
    }
  }
}
