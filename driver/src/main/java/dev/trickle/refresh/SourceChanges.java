package dev.trickle.refresh;

/**
 * What one refresh consumed from one source's change buffer.
 *
 * @param sourceRelid the source
 * @param rows the delta rows (signed row images) materialized for it
 * @param truncated whether a TRUNCATE happened in between (the deltas are then incomplete)
 */
public record SourceChanges(long sourceRelid, long rows, boolean truncated) {}
