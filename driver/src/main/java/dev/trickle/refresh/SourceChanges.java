package dev.trickle.refresh;

/**
 * What one refresh consumed from one source's change buffer.
 *
 * @param sourceRelid the source
 * @param rows the delta rows (signed row images) materialized for it and left for the program
 * @param truncated whether a TRUNCATE happened in between (the deltas are then incomplete)
 * @param cancelled the delta rows consumed but removed again because they cancel on every column
 *     the query reads ({@link UnreadChanges}): the source counts as unchanged
 */
public record SourceChanges(long sourceRelid, long rows, boolean truncated, long cancelled) {
  /** Changes of which none cancelled. */
  public SourceChanges(long sourceRelid, long rows, boolean truncated) {
    this(sourceRelid, rows, truncated, 0);
  }

  /** The rows consumed from the buffer's netted changes: those left and those cancelled. */
  public long consumed() {
    return rows + cancelled;
  }
}
