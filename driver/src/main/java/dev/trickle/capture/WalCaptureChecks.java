package dev.trickle.capture;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks of WAL capture's lifecycle ({@link WalCaptureLifecycle}: moves, slot and
 * publication) at the scheduler's interval, on a thread and connection of their own, so that the
 * {@link WalConsumer} keeps consuming while a move waits for its source's lock. On one thread, a
 * move waiting for a source that a refresh had locked, while that refresh waited for the consumer
 * to pass its position, held both until the refresh gave up after its timeout.
 *
 * <p>Most databases never use WAL capture, and the checks run on every leader: each check first
 * asks {@link WalCaptureLifecycle#inPlay}, a few index reads, and reads the plan only when a stream
 * table asks for WAL capture, a source is captured from the WAL, or a slot remains. A move a user
 * asks for is therefore still made at the next check, one scheduler interval later at most.
 */
final class WalCaptureChecks implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WalCaptureChecks.class);

  private final String database;
  private final WalConsumer.Connections connections;
  private final Duration interval;
  private final CaptureThread thread;
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
    this.thread = new CaptureThread("trickle-wal-checks-" + database, this::run);
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
    thread.stop();
    closeControl();
  }

  private void run() {
    Duration backoff = interval;
    while (!thread.stopping()) {
      try {
        if (control == null) {
          control = connections.plain("wal capture checks");
          slot = WalSlot.name(control);
        }
        boolean inPlay = WalCaptureLifecycle.inPlay(control, slot);
        boolean needed = inPlay && WalCaptureLifecycle.check(control, slot);
        slotNeeded = needed;
        if (inPlay && !needed && !streaming && WalSlot.present(control, slot)
            && WalSlot.drop(control, slot)) {
          LOG.atInfo().log(() -> "dropped replication slot " + slot + ": no source is"
              + " captured from the WAL any more");
        }
        backoff = interval;
        thread.pause(interval);
      } catch (SQLException | RuntimeException e) {
        if (thread.stopping()) {
          break;
        }
        Duration wait = backoff;
        LOG.atWarn().log(
            () -> "WAL capture check of " + database + " failed (" + e.getMessage()
                + "); retrying in " + wait.toSeconds() + " s");
        closeControl();
        thread.pause(wait);
        backoff = CaptureThread.nextBackoff(backoff);
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
}
