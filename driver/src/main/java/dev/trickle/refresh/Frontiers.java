package dev.trickle.refresh;

import dev.trickle.capture.ChangeBuffer;
import dev.trickle.catalog.RefreshMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Frontiers: per stream table and captured source, the snapshot ({@code pg_snapshot}) up to which
 * the stream table has consumed the source's change buffer. A refresh takes its new frontier with
 * {@code pgtrickle.current_frontier()} once, after its locks, and reads sources and buffers at that
 * same snapshot; at the end it stores it for every source. Buffer rows visible in every consumer's
 * frontier are never needed again and are cleaned up.
 */
final class Frontiers {
  /** The new frontier and the time it was taken. */
  record Snapshot(String frontier, OffsetDateTime takenAt) {}

  private Frontiers() {}

  /**
   * The refresh's new frontier in SQL, as {@link #take} kept it for the transaction (a setting of
   * its own, {@code pgtrickle.refresh_frontier}), evaluated once per statement: statements that
   * read it need no value from the client, so they can go in the round trip that takes it.
   */
  static final String NEW_FRONTIER =
      "(SELECT current_setting('pgtrickle.refresh_frontier')::pg_snapshot)";

  /**
   * Adds the query that takes the snapshot which becomes the refresh's frontier, and keeps it for
   * the transaction as {@link #NEW_FRONTIER}, to {@code batch}; {@code taken} receives it and the
   * time it was taken. The same statement selects {@code moreColumns} from {@code moreFrom} (one
   * row) too, and {@code more} reads them from the row by name: what the refresh does right after
   * taking the snapshot costs no statement of its own.
   */
  static void take(
      StatementBatch batch,
      String moreColumns,
      String moreFrom,
      Consumer<Snapshot> taken,
      StatementBatch.RowsReader more) {
    batch.add(
        "SELECT f::text AS frontier, t AS taken_at,"
            + " set_config('pgtrickle.refresh_frontier', f::text, true), "
            + moreColumns
            + " FROM pgtrickle.current_frontier() AS f, clock_timestamp() AS t, "
            + moreFrom,
        rs -> {
          rs.next();
          taken.accept(
              new Snapshot(
                  rs.getString("frontier"), rs.getObject("taken_at", OffsetDateTime.class)));
          more.read(rs);
        });
  }

  /**
   * The sources a stream table has frontier rows for, and those of them with a frontier (a row
   * without one: never populated).
   */
  record Stored(Set<Long> sources, Set<Long> withFrontier) {}

  /**
   * Adds the query reading the stream table's frontier rows to {@code batch}; {@code read} receives
   * them. The frontiers themselves stay on the server ({@link DeltaTables}).
   */
  static void read(StatementBatch batch, long pgtId, Consumer<Stored> read) {
    batch.add(
        "SELECT source_relid, frontier IS NOT NULL AS has_frontier FROM pgtrickle.pgt_frontiers"
            + " WHERE pgt_id = " + pgtId,
        rs -> {
          Set<Long> sources = new HashSet<>();
          Set<Long> withFrontier = new HashSet<>();
          while (rs.next()) {
            sources.add(rs.getLong("source_relid"));
            if (rs.getBoolean("has_frontier")) {
              withFrontier.add(rs.getLong("source_relid"));
            }
          }
          read.accept(new Stored(sources, withFrontier));
        });
  }

  /**
   * Adds the statements that store {@code frontier} (null: unpopulated) for exactly these sources,
   * forgetting sources the stream table no longer reads (of those {@code stored}), to {@code
   * batch}. With it goes the current transaction and its last row in each source's buffer: what it
   * wrote so far is consumed, what it writes later is not.
   *
   * @param ownTransaction the refresh runs in a transaction of its own, which writes none of the
   *     stream table's sources (only its storage, the catalog and work tables): then there is no
   *     row of its own to look for in their buffers, and none is recorded
   */
  static void store(
      StatementBatch batch,
      long pgtId,
      List<Long> sources,
      String frontier,
      boolean ownTransaction,
      Stored stored) {
    forget(pgtId, sources, stored).ifPresent(batch::add);
    if (!sources.isEmpty()) {
      batch.addWithValues(
          upsert(pgtId, sources, "?::pg_snapshot", frontier == null || ownTransaction), frontier);
    }
  }

  /** The statement deleting the frontier rows of sources the stream table no longer reads. */
  private static Optional<String> forget(long pgtId, List<Long> sources, Stored stored) {
    if (sources.containsAll(stored.sources())) {
      return Optional.empty();
    }
    String forgotten = "DELETE FROM pgtrickle.pgt_frontiers WHERE pgt_id = " + pgtId;
    return Optional.of(
        sources.isEmpty()
            ? forgotten
            : forgotten
                + sources.stream()
                    .map(String::valueOf)
                    .collect(Collectors.joining(", ", " AND source_relid NOT IN (", ")")));
  }

  /**
   * The statement writing the frontier rows of {@code sources}.
   *
   * @param frontier the frontier, in SQL
   * @param withoutOwnRows record no row of the transaction's own (see {@link #store})
   */
  private static String upsert(
      long pgtId, List<Long> sources, String frontier, boolean withoutOwnRows) {
    List<String> rows = new ArrayList<>();
    for (long source : sources) {
      rows.add(
          withoutOwnRows
              ? "(" + source + "::oid, NULL::xid8, NULL::bigint)"
              : "(" + source + "::oid, pg_current_xact_id_if_assigned(), (SELECT max(__pgt_seq) FROM "
                  + new ChangeBuffer(source).qualifiedTable()
                  + " WHERE __pgt_xid = pg_current_xact_id_if_assigned()))");
    }
    return "INSERT INTO pgtrickle.pgt_frontiers (pgt_id, source_relid, frontier, own_xid, own_seq)"
        + " SELECT "
        + pgtId
        + ", v.source, "
        + frontier
        + ", v.own_xid, v.own_seq FROM (VALUES "
        + String.join(", ", rows)
        + ") AS v (source, own_xid, own_seq) ON CONFLICT (pgt_id, source_relid)"
        + " DO UPDATE SET frontier = excluded.frontier, own_xid = excluded.own_xid,"
        + " own_seq = excluded.own_seq";
  }

  /**
   * The query that deletes the buffer rows of these sources that every consumer has consumed
   * ({@code pgtrickle.clean_up_changes}); its one row holds the failures as text, NULL when there
   * were none: it never fails itself. A buffer whose cleanup lock another transaction holds is
   * skipped. Meant for READ COMMITTED: under REPEATABLE READ a concurrent cleanup's deletes make
   * it fail for that buffer (reported, not thrown).
   *
   * @param truncateDrained the transaction ends right after the cleanup: a buffer whose rows every
   *     consumer has consumed may be emptied with {@code TRUNCATE} (catalog V21), whose lock blocks
   *     writes to the source until the transaction ends
   * @param readerMode the mode of the stream table whose refresh cleans up: a FULL one's frontier
   *     makes no row deletable, so the buffers of sources that a DIFFERENTIAL stream table reads
   *     too are left to that one's cleanups (catalog V30)
   */
  static String cleanUpQuery(List<Long> sources, boolean truncateDrained, RefreshMode readerMode) {
    return "SELECT pgtrickle.clean_up_changes("
        + sources.stream().map(String::valueOf).collect(Collectors.joining(", ", "ARRAY[", "]"))
        + "::oid[], "
        + truncateDrained
        + ", "
        + (readerMode == RefreshMode.FULL)
        + ")";
  }

  /**
   * What a cleanup found: its failures as text (null when there were none), and the sources whose
   * buffers are due for {@link BufferVacuum}.
   */
  record Cleanup(String failures, List<Long> vacuumDue) {
    /** A cleanup whose statement itself failed: nothing is due. */
    static Cleanup failed(String failure) {
      return new Cleanup(failure, List.of());
    }
  }

  /**
   * Adds {@link #cleanUpQuery} and the question which of the buffers are due for {@link
   * BufferVacuum} to {@code batch}, for a transaction whose connection returns to autocommit
   * afterwards (where the vacuum can run); {@code done} receives both once the batch has run.
   */
  static void addCleanUp(
      StatementBatch batch, List<Long> sources, RefreshMode readerMode, Consumer<Cleanup> done) {
    String[] failures = new String[1];
    batch.add(
        cleanUpQuery(sources, true, readerMode), rs -> failures[0] = rs.next() ? rs.getString(1) : null);
    batch.add(
        BufferVacuum.dueQuery(sources),
        rs -> done.accept(new Cleanup(failures[0], BufferVacuum.read(rs))));
  }

  /**
   * Runs {@link #cleanUpQuery}.
   *
   * @param ownTransaction the caller opened a transaction for the cleanup alone: it is made READ
   *     COMMITTED and committed in the same round trip, which also asks which buffers are due for
   *     {@link BufferVacuum} ({@link #addCleanUp}); in the caller's transaction none is, since the
   *     vacuum cannot run there
   */
  static Cleanup cleanUp(
      Connection c, List<Long> sources, RefreshMode readerMode, boolean ownTransaction)
      throws SQLException {
    StatementBatch batch = new StatementBatch();
    Cleanup[] cleanup = new Cleanup[1];
    if (ownTransaction) {
      batch.add("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
      addCleanUp(batch, sources, readerMode, done -> cleanup[0] = done);
      batch.add("COMMIT");
    } else {
      batch.add(
          cleanUpQuery(sources, false, readerMode),
          rs -> cleanup[0] = Cleanup.failed(rs.next() ? rs.getString(1) : null));
    }
    batch.run(c);
    return cleanup[0];
  }
}
