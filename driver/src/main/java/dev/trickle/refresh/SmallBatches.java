package dev.trickle.refresh;

import java.sql.Connection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which captured sources the last differential refresh of a stream table on a connection applied
 * changes from, when those made a small batch. A stream table refreshed again and again mostly
 * sees the same sources change by a few rows each time, so the next refresh sends the program for
 * those sources with the delta fill, under a savepoint, instead of waiting for the fill's counts
 * first (one round trip fewer). The fill's counts confirm it: the program stands only when exactly
 * those sources changed, by fewer than {@link #BOUND} rows in all and without a truncation;
 * otherwise it is rolled back and the refresh goes on as if it had not been sent. The memory
 * costs nothing on the server, where a look into the buffers before the fill cost a statement with
 * a plan of its own on every refresh.
 */
final class SmallBatches {
  /** Changed rows from which a batch is not small: where {@link ChangeVolume} may choose FULL. */
  static final int BOUND = (int) (ChangeVolume.MIN_ROWS * ChangeVolume.MAX_CHANGE_RATIO);

  private final ConnectionMemory<Long, Set<Long>> changedSources = new ConnectionMemory<>();

  /**
   * The sources the last differential refresh of stream table {@code pgtId} on {@code c} applied,
   * when that was a small batch.
   */
  Optional<Set<Long>> expected(Connection c, long pgtId) {
    return changedSources.get(c, pgtId);
  }

  /**
   * Records what a refresh of {@code pgtId} consumed and did: a small differential batch is
   * remembered, a FULL refresh or a large batch forgets, a refresh without changes keeps what was
   * known.
   */
  void record(
      Connection c,
      long pgtId,
      RefreshAction action,
      List<SourceChanges> changes,
      Set<Long> changed) {
    if (action == RefreshAction.NO_DATA) {
      return;
    }
    if (action == RefreshAction.DIFFERENTIAL && small(changes)) {
      changedSources.remember(c, pgtId, Set.copyOf(changed));
    } else {
      changedSources.forget(c, pgtId);
    }
  }

  /** Whether the changes make a small batch: fewer than {@link #BOUND} rows, no truncation. */
  static boolean small(List<SourceChanges> changes) {
    return changes.stream().noneMatch(SourceChanges::truncated)
        && changes.stream().mapToLong(SourceChanges::rows).sum() < BOUND;
  }
}
