package dev.trickle.refresh;

/** Who started a refresh, as recorded in {@code pgt_refresh_history.initiated_by}. */
public enum InitiatedBy {
  /** A user command (refresh, create, alter). */
  MANUAL,
  /** The scheduler. */
  SCHEDULER
}
