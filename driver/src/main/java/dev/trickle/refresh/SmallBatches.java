package dev.trickle.refresh;

import dev.trickle.catalog.StreamTable;
import java.sql.Connection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the last differential refresh of a stream table on a connection applied, when its changes
 * made a small batch: the sources that changed, and the definition, compilation and session work
 * tables it ran with. A stream table refreshed again and again mostly sees the same sources change
 * by a few rows each time, so the next refresh sends the program for those sources ahead, under a
 * savepoint: with the delta fill, before the fill's counts (one round trip fewer), and, when it
 * confirms a remembered target ({@link StartCheck}), with the refresh's first statements, before it
 * has read the catalog (one more). What the refresh reads then confirms it: the program stands only
 * when the definition and work tables are the remembered ones and exactly those sources changed, by
 * fewer than {@link #BOUND} rows in all and without a truncation; otherwise it is rolled back and
 * the refresh goes on as if it had not been sent. The memory costs nothing on the server, where a
 * look into the buffers before the fill cost a statement with a plan of its own on every refresh.
 * When the last batch repeated the one before it, the next refresh commits in its first round trip,
 * the server confirming what the client would have ({@link RefreshInOneRoundTrip}).
 */
final class SmallBatches {
  /** Changed rows from which a batch is not small: where {@link ChangeVolume} may choose FULL. */
  static final int BOUND = (int) (ChangeVolume.MIN_ROWS * ChangeVolume.MAX_CHANGE_RATIO);

  /**
   * One small batch a refresh applied.
   *
   * @param changedSources the oids of the sources it applied changes from
   * @param definition the definition it compiled
   * @param compilation the compilation it ran
   * @param temps the session's work tables as it left them ({@link SessionTempTables#leftForNext})
   * @param digest the digest of what it read ({@link ReadDigest}), or null when it ran in a
   *     caller's transaction
   * @param frontiers the frontier rows it found
   * @param reads what else its prologue read, which a refresh reading the same (digest) need not
   *     read again ({@link RefreshFunction})
   * @param repeats whether it repeated the batch before it: the same sources changed and it read
   *     the same (digest); then the next refresh commits in its first round trip ({@link
   *     RefreshInOneRoundTrip})
   */
  record Applied(
      Set<Long> changedSources,
      StreamTableDefinition definition,
      Compilation.Differential compilation,
      SessionTempTables temps,
      String digest,
      Frontiers.Stored frontiers,
      Reads reads,
      boolean repeats) {
    Applied {
      changedSources = Set.copyOf(changedSources);
    }

    /** This batch, marked as repeating {@code before} when it does. */
    Applied after(Applied before) {
      boolean repeated =
          digest != null
              && before != null
              && digest.equals(before.digest)
              && changedSources.equals(before.changedSources);
      return new Applied(
          changedSources, definition, compilation, temps, digest, frontiers, reads, repeated);
    }
  }

  /**
   * What a refresh's prologue read besides the frontier rows and work tables: the catalog row
   * (locked), the sources and the storage table. The digests cover them, so a refresh whose reads
   * digest the same read these values.
   */
  record Reads(StreamTable streamTable, List<LiveSources.Source> sources, StorageRelation storage) {
    Reads {
      sources = List.copyOf(sources);
    }
  }

  private final ConnectionMemory<Long, Applied> applied = new ConnectionMemory<>();

  /**
   * The last differential refresh of stream table {@code pgtId} on {@code c}, when that applied a
   * small batch.
   */
  Optional<Applied> last(Connection c, long pgtId) {
    return applied.get(c, pgtId);
  }

  /**
   * Records what a refresh of {@code pgtId} consumed and did: a small differential batch is
   * remembered, a FULL refresh or a large batch forgets, a refresh without changes keeps what was
   * known.
   *
   * @param ran what the refresh applied and ran with, remembered when it was a small batch
   */
  void record(
      Connection c, long pgtId, RefreshAction action, List<SourceChanges> changes, Applied ran) {
    if (action == RefreshAction.NO_DATA) {
      return;
    }
    if (action == RefreshAction.DIFFERENTIAL && small(changes)) {
      applied.remember(c, pgtId, ran.after(applied.get(c, pgtId).orElse(null)));
    } else {
      applied.forget(c, pgtId);
    }
  }

  /** Whether the changes make a small batch: fewer than {@link #BOUND} rows, no truncation. */
  static boolean small(List<SourceChanges> changes) {
    return changes.stream().noneMatch(SourceChanges::truncated)
        && changes.stream().mapToLong(SourceChanges::rows).sum() < BOUND;
  }
}
