package dev.trickle.refresh;

import java.sql.Connection;
import java.util.List;

/**
 * When a differential refresh deletes the buffer rows it consumed: once the refreshes of its
 * stream table on the connection have consumed {@link #CLEANUP_ROWS} rows since the last cleanup
 * there, or at once after a truncation. The cleanup's statement costs more than a
 * small refresh's own work, and the rows it may delete are only those every consumer of the buffer
 * has consumed: deciding by the buffer's size instead would run it on every refresh while a stream
 * table on a slower schedule holds rows back, deleting nothing. Consumed rows left in the buffer
 * cost the next fill a skipped row each (they are told apart by visibility against the frontier,
 * never by their presence). FULL refreshes, and the scheduler after its pass, clean up every time
 * (a FULL one only the buffers no DIFFERENTIAL stream table reads: {@link Frontiers#cleanUpQuery}).
 */
final class CleanupPacing {
  /** Rows consumed since the last cleanup from which the next refresh cleans up. */
  static final int CLEANUP_ROWS = 256;

  private final ConnectionMemory<Long, Long> consumedSinceCleanup = new ConnectionMemory<>();

  /**
   * Whether the refresh of {@code pgtId} on {@code c} that consumed {@code changes} should clean up;
   * counts the consumed rows towards the next cleanup when not.
   */
  boolean due(Connection c, long pgtId, List<SourceChanges> changes) {
    long consumed =
        consumedSinceCleanup.get(c, pgtId).orElse(0L)
            + changes.stream().mapToLong(SourceChanges::consumed).sum();
    if (consumed >= CLEANUP_ROWS || changes.stream().anyMatch(SourceChanges::truncated)) {
      consumedSinceCleanup.forget(c, pgtId);
      return true;
    }
    consumedSinceCleanup.remember(c, pgtId, consumed);
    return false;
  }
}
