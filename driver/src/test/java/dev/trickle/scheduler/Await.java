package dev.trickle.scheduler;

import java.time.Duration;

/** Waits for a condition with a timeout, polling often, instead of sleeping a fixed time. */
final class Await {
  /** A condition that may need the database to decide. */
  @FunctionalInterface
  interface Condition {
    boolean holds() throws Exception;
  }

  private Await() {}

  /**
   * Returns as soon as {@code condition} holds; fails with {@code what} when it still does not
   * after {@code timeout}.
   */
  static void until(Duration timeout, String what, Condition condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after " + timeout.toMillis() + " ms waiting until " + what);
      }
      Thread.sleep(10);
    }
  }
}
