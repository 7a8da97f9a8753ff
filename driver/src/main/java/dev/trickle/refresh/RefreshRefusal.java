package dev.trickle.refresh;

import java.sql.SQLException;

/**
 * A refresh that was not attempted because the stream table or the transaction does not allow it
 * (suspended, a snapshot older than the last change of the stream table, a concurrent change of
 * it). Not counted as a failure and not recorded in the history. Some refusals in the refresh's
 * own transaction are {@linkplain #retry() retried} by the engine instead of reaching the caller.
 */
final class RefreshRefusal extends SQLException {
  private static final long serialVersionUID = 1L;

  /** What the engine does about the refusal when the refresh runs in a transaction of its own. */
  enum Retry {
    /** Nothing: the refusal reaches the caller. */
    NONE,
    /** Runs the refresh again READ COMMITTED ({@link WalCapturedSources#retry}). */
    READ_COMMITTED,
    /**
     * Runs the refresh again in a new transaction, whose snapshot sees the change the refusal
     * waited for ({@link RefreshFailures#changedConcurrently}).
     */
    NEW_SNAPSHOT
  }

  private final Retry retry;

  RefreshRefusal(String message, String sqlState) {
    this(message, sqlState, Retry.NONE);
  }

  RefreshRefusal(String message, String sqlState, Retry retry) {
    super(message, sqlState);
    this.retry = retry;
  }

  /** What the engine does about it in the refresh's own transaction. */
  Retry retry() {
    return retry;
  }
}
