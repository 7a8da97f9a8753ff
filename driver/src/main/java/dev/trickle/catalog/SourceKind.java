package dev.trickle.catalog;

/** What kind of relation a stream table reads, as recorded in {@code pgt_dependencies}. */
public enum SourceKind {
  /** A plain table: captured with triggers. */
  TABLE(true),
  /** A partitioned table: captured on the parent and on every partition. */
  PARTITIONED(true),
  /** Another stream table: its storage table is captured like a table. */
  STREAM_TABLE(true),
  /** A view: not captured itself; its base relations are recorded too. */
  VIEW(false),
  /** A materialized view: changes cannot be captured, so only FULL refresh is possible. */
  MATERIALIZED_VIEW(false),
  /** A foreign table: changes cannot be captured, so only FULL refresh is possible. */
  FOREIGN_TABLE(false),
  /**
   * A partition named directly: writes routed through its parent do not fire its statement
   * triggers, so only FULL refresh is possible.
   */
  PARTITION(false);

  private final boolean captured;

  SourceKind(boolean captured) {
    this.captured = captured;
  }

  /** True when Trickle captures this relation's changes into a change buffer. */
  public boolean captured() {
    return captured;
  }

  /** True when the query reads the relation but its changes cannot be captured at all. */
  public boolean uncapturable() {
    return this == MATERIALIZED_VIEW || this == FOREIGN_TABLE || this == PARTITION;
  }
}
