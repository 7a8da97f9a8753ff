package dev.trickle.catalog;

/** The life-cycle state of a stream table, as stored in {@code pgt_stream_tables.status}. */
public enum StreamTableStatus {
  /** Created, not yet successfully refreshed. */
  INITIALIZING,
  /** Refreshed normally. */
  ACTIVE,
  /** Not refreshed until resumed: by the user, or after repeated failures. */
  SUSPENDED,
  /** A permanent failure (such as a dropped source); the message is kept. */
  ERROR
}
