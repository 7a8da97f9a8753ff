package dev.trickle.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The progress line of a statement that runs long: after {@code delay}, every {@code every}, it
 * prints on stderr what the statement does ({@link LongWork}), for how long (since it was sent: a
 * stream-table command is many statements, and time the driver spends between them counts), what
 * the server process is doing (state and wait event, from {@code pg_stat_activity} read on a second
 * connection) and, for a refresh, the size of the storage table as it grows. On a terminal the line
 * is rewritten in place and cleared at the end; otherwise a new line is printed each time.
 */
final class ProgressLine implements AutoCloseable {
  /** Opens the second connection that watches the statement's server process. */
  @FunctionalInterface
  interface Watcher {
    Connection open() throws SQLException;
  }

  private static final String ACTIVITY =
      "SELECT a.state, a.wait_event_type, a.wait_event,"
          + " CASE WHEN ?::text IS NULL THEN NULL"
          + "   ELSE pg_size_pretty(pg_total_relation_size(to_regclass(?))) END"
          + " FROM pg_stat_activity a WHERE a.pid = ?";

  private final LongWork work;
  private final int pid;
  private final Watcher watcher;
  private final PrintWriter err;
  private final boolean inPlace;
  private final ScheduledExecutorService timer;
  private final long startedNanos = System.nanoTime();
  private Connection watching;
  private int printedWidth;

  private ProgressLine(
      LongWork work, int pid, Watcher watcher, PrintWriter err, boolean inPlace) {
    this.work = work;
    this.pid = pid;
    this.watcher = watcher;
    this.err = err;
    this.inPlace = inPlace;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "trickle-progress");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts watching the statement {@code sql} that server process {@code pid} runs. */
  static ProgressLine start(
      String sql, int pid, Watcher watcher, PrintWriter err, Pacing pacing) {
    ProgressLine line = new ProgressLine(LongWork.of(sql), pid, watcher, err, pacing.inPlace());
    line.timer.scheduleWithFixedDelay(
        line::print, pacing.delay().toMillis(), pacing.every().toMillis(), TimeUnit.MILLISECONDS);
    return line;
  }

  /** When the first line comes, how often the next, and whether it is rewritten in place. */
  record Pacing(Duration delay, Duration every, boolean inPlace) {
    /** The shell's: after 2 s, every second, in place. */
    static final Pacing SHELL = new Pacing(Duration.ofSeconds(2), Duration.ofSeconds(1), true);
    /** A script's: after 2 s, then every 5 s, one line each. */
    static final Pacing SCRIPT = new Pacing(Duration.ofSeconds(2), Duration.ofSeconds(5), false);
  }

  /** Stops, clears an in-place line and closes the watching connection. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (err) {
      if (inPlace && printedWidth > 0) {
        err.print("\r" + " ".repeat(printedWidth) + "\r");
        err.flush();
      }
    }
    if (watching != null) {
      try {
        watching.close();
      } catch (SQLException ignored) {
        // nothing to do: the line is gone anyway
      }
    }
  }

  private void print() {
    String text = "... " + work.describe() + ": " + activity();
    synchronized (err) {
      if (inPlace) {
        err.print("\r" + text + " ".repeat(Math.max(0, printedWidth - text.length())));
        printedWidth = Math.max(printedWidth, text.length());
      } else {
        err.println(text);
      }
      err.flush();
    }
  }

  private String activity() {
    try {
      if (watching == null) {
        watching = watcher.open();
      }
      try (PreparedStatement ps = watching.prepareStatement(ACTIVITY)) {
        String storage = work.refreshes() ? work.streamTable() : null;
        ps.setString(1, storage);
        ps.setString(2, storage);
        ps.setInt(3, pid);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return "the server process is gone";
          }
          StringBuilder s = new StringBuilder().append(elapsedSeconds()).append(" s");
          if (rs.getString(4) != null) {
            s.append(", storage ").append(rs.getString(4));
          }
          s.append(", server ").append(rs.getString(1));
          if (rs.getString(3) != null) {
            s.append(" (").append(rs.getString(2)).append(':').append(rs.getString(3)).append(')');
          }
          return s.toString();
        }
      }
    } catch (SQLException e) {
      return elapsedSeconds() + " s (cannot watch: " + e.getMessage() + ")";
    }
  }

  /** Seconds since the statement was sent (the client's clock: one statement may be many). */
  private long elapsedSeconds() {
    return (System.nanoTime() - startedNanos) / 1_000_000_000L;
  }
}
