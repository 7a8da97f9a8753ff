package dev.trickle.capture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A daemon thread of WAL capture ({@link WalConsumer}, {@link WalCaptureChecks}) that runs its loop
 * until {@link #stop}: the stop flag the loop tests, its pauses (which a stop interrupts), and the
 * backoff after a failure.
 */
final class CaptureThread {
  /** The longest wait after failures in a row. */
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  /** How long {@link #stop} waits for the loop to end. */
  private static final long STOP_WAIT_MILLIS = TimeUnit.SECONDS.toMillis(10);

  private final Thread thread;
  private volatile boolean stopping;

  /** A thread named {@code name} that will run {@code loop}, which ends once {@link #stopping}. */
  CaptureThread(String name, Runnable loop) {
    thread = new Thread(loop, name);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** True once {@link #stop} was called (or a pause interrupted): the loop should end. */
  boolean stopping() {
    return stopping;
  }

  /** Sleeps for {@code wait}; an interrupt ends the loop. */
  void pause(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      stopping = true;
    }
  }

  /** Stops the loop and waits for it to end, at most 10 s. */
  void stop() {
    stopping = true;
    thread.interrupt();
    try {
      thread.join(STOP_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The wait after one more failure in a row: twice {@code backoff}, at most 30 s. */
  static Duration nextBackoff(Duration backoff) {
    Duration doubled = backoff.multipliedBy(2);
    return doubled.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : doubled;
  }
}
