package dev.trickle.capture;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks of WAL capture's lifecycle ({@link WalCaptureLifecycle}: moves, slot and
 * publication) at the scheduler's interval, on a thread and connection of their own, so that the
 * {@link WalConsumer} keeps consuming while a move waits for its source's lock. On one thread, a
 * move waiting for a source that a refresh had locked, while that refresh waited for the consumer
 * to pass its position, held both until the refresh gave up after its timeout.
 */
final class WalCaptureChecks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WalCaptureChecks.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final String database;
  private final WalConsumer.Connections connections;
  private final Duration interval;
  private final Thread thread;
  private volatile boolean stopping;
  /** Whether the slot is needed, as the last check found; the consumer streams while it is. */
  private volatile boolean slotNeeded;
  /** Whether the consumer has its stream open (a slot in use cannot be dropped). */
  private volatile boolean streaming;
  private Connection control;
  private String slot;

  WalCaptureChecks(String database, WalConsumer.Connections connections, Duration interval) {
    this.database = database;
    this.interval = interval;
    this.connections = connections;
    this.thread = new Thread(this::run, "trickle-wal-checks-" + database);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** True when the last check found a source captured from the WAL or still draining. */
  boolean slotNeeded() {
    return slotNeeded;
  }

  /** The consumer says whether its stream is open. */
  void streaming(boolean open) {
    streaming = open;
  }

  @Override
  public void close() {
    stopping = true;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeControl();
  }

  private void run() {
    Duration backoff = interval;
    while (!stopping) {
      try {
        if (control == null) {
          control = connections.plain("wal capture checks");
          slot = WalSlot.name(control);
        }
        boolean needed = WalCaptureLifecycle.check(control, slot);
        slotNeeded = needed;
        if (!needed && !streaming && WalSlot.present(control, slot)
            && WalSlot.drop(control, slot)) {
          LOG.atInfo().log(() -> "dropped replication slot " + slot + ": no source is"
              + " captured from the WAL any more");
        }
        backoff = interval;
        pause(interval);
      } catch (SQLException | RuntimeException e) {
        if (stopping) {
          break;
        }
        Duration wait = backoff;
        LOG.atWarn().log(
            () -> "WAL capture check of " + database + " failed (" + e.getMessage()
                + "); retrying in " + wait.toSeconds() + " s");
        closeControl();
        pause(wait);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
            ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
    }
  }

  private void closeControl() {
    if (control != null) {
      try {
        control.close();
      } catch (SQLException e) {
        LOG.atDebug().log(() -> "closing the WAL capture checks' connection: " + e.getMessage());
      }
      control = null;
    }
  }

  private void pause(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      stopping = true;
    }
  }
}
