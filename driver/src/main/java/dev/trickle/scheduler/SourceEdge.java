package dev.trickle.scheduler;

/**
 * One "stream table reads relation" fact from {@code pgt_dependencies} (views left out: their
 * base relations are recorded as sources too).
 *
 * @param readerPgtId the reading stream table
 * @param sourceRelid the relation it reads: a table or another stream table's storage
 */
record SourceEdge(long readerPgtId, long sourceRelid) {}
