package dev.trickle.refresh;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A bounded look into a stream table's change buffers, read with the refresh's snapshot before the
 * delta fill ({@code pgtrickle.buffered_changes}): per captured source, the rows in the buffer,
 * those of them the stream table has not consumed (both counted among the first {@link #BOUND}),
 * and whether one of those marks a truncation.
 *
 * <p>It tells the engine whether the refresh is the usual small one: then the differential program
 * can go to the server in the round trip of the delta fill. Every row the fill consumes is one the
 * stream table has not consumed, so the sources with such rows are the only ones that can have
 * changed, and fewer than the bound cannot make {@link ChangeVolume} choose FULL. And it tells
 * whether the consumed rows are worth deleting yet ({@link #cleanupDue}).
 *
 * @param sourceRelid the source
 * @param rows rows in the buffer (at most {@link #BOUND}); -1 when the buffer does not exist
 * @param pending of those, rows the stream table has not consumed; -1 when the buffer does not exist
 * @param truncation whether a row not consumed marks a truncation
 */
record BufferedChanges(long sourceRelid, long rows, long pending, boolean truncation) {
  /** Rows from which a buffer is not a small batch: where {@link ChangeVolume} may choose FULL. */
  static final int BOUND = (int) (ChangeVolume.MIN_ROWS * ChangeVolume.MAX_CHANGE_RATIO);

  /**
   * Buffered rows of a source from which a refresh deletes the consumed rows after its commit.
   * Below it the consumed rows stay for a later refresh: the cleanup's statement costs more than
   * a small refresh's work, and a delta fill or pending check skips a few hundred consumed rows
   * for much less.
   */
  static final int CLEANUP_ROWS = 256;

  /**
   * Whether a refresh that looked into the buffers ({@code buffers}, null when it did not) should
   * delete the consumed rows: it did not look, or a buffer is missing, holds a truncation or has
   * reached {@link #CLEANUP_ROWS}.
   */
  static boolean cleanupDue(List<BufferedChanges> buffers) {
    return buffers == null
        || buffers.stream().anyMatch(b -> b.rows() < 0 || b.rows() >= CLEANUP_ROWS || b.truncation());
  }

  /** Adds the look into the buffers of stream table {@code pgtId} to {@code batch}. */
  static void load(StatementBatch batch, long pgtId, Consumer<List<BufferedChanges>> loaded) {
    batch.add(
        "SELECT source_oid::bigint, coalesce(buffered_rows, -1), coalesce(pending_rows, -1),"
            + " coalesce(has_truncation, false)"
            + " FROM pgtrickle.buffered_changes(" + pgtId + ", " + BOUND + ")",
        rs -> {
          List<BufferedChanges> buffers = new ArrayList<>();
          while (rs.next()) {
            buffers.add(
                new BufferedChanges(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getBoolean(4)));
          }
          loaded.accept(buffers);
        });
  }

  /**
   * The captured sources with rows the stream table has not consumed, when those make a small
   * batch: every captured source's buffer exists, none is at the bound or holds a truncation, and
   * some source has such rows; else empty.
   */
  static Optional<Set<Long>> smallBatch(List<BufferedChanges> buffers, List<Long> capturedSources) {
    Map<Long, BufferedChanges> bySource =
        buffers.stream().collect(Collectors.toMap(BufferedChanges::sourceRelid, b -> b, (a, b) -> a));
    Set<Long> buffered = new HashSet<>();
    for (long source : capturedSources) {
      BufferedChanges b = bySource.get(source);
      if (b == null || b.rows() < 0 || b.rows() >= BOUND || b.truncation()) {
        return Optional.empty();
      }
      if (b.pending() > 0) {
        buffered.add(source);
      }
    }
    return buffered.isEmpty() ? Optional.empty() : Optional.of(Set.copyOf(buffered));
  }
}
