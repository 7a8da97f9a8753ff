package dev.trickle.cli;

import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Where the refresh scheduler's log ({@code java.util.logging}, logger {@code
 * dev.trickle.scheduler}) goes in the {@code trickle} command: quiet except for warnings during
 * {@code run} and {@code shell}, and every refresh, one line each, on stderr during {@code trickle
 * scheduler}.
 */
final class SchedulerLog {
  /** Held strongly: {@code java.util.logging} keeps only weak references to configured loggers. */
  private static final Logger SCHEDULER = Logger.getLogger("dev.trickle.scheduler");

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

  private SchedulerLog() {}

  /** Only warnings and errors, through the default handlers. */
  static void quiet() {
    SCHEDULER.setLevel(Level.WARNING);
  }

  /** Everything the scheduler does, one line per event on {@code err}. */
  static void verbose(PrintWriter err) {
    SCHEDULER.setLevel(Level.FINE);
    SCHEDULER.setUseParentHandlers(false);
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (!isLoggable(record)) {
              return;
            }
            String level = record.getLevel() == Level.FINE ? "" : record.getLevel() + ": ";
            synchronized (err) {
              err.println(
                  TIME.format(LocalDateTime.ofInstant(record.getInstant(), ZoneId.systemDefault()))
                      + "  "
                      + level
                      + record.getMessage());
              err.flush();
            }
          }

          @Override
          public void flush() {
            err.flush();
          }

          @Override
          public void close() {
            err.flush();
          }
        };
    handler.setLevel(Level.FINE);
    SCHEDULER.addHandler(handler);
  }
}
