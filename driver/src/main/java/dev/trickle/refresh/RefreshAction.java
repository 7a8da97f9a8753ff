package dev.trickle.refresh;

/** The strategy a refresh actually used, as recorded in {@code pgt_refresh_history.action}. */
public enum RefreshAction {
  /** No source changed since the last refresh: only the frontier advanced. */
  NO_DATA,
  /** The query was recomputed and the difference applied. */
  FULL,
  /** The sources' deltas were applied incrementally. */
  DIFFERENTIAL,
  /** Recomputed because the definition changed (alter, create or replace). */
  REINITIALIZE
}
