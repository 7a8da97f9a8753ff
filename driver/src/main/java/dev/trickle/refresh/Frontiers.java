package dev.trickle.refresh;

import dev.trickle.capture.ChangeBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
   * Adds the query that takes the snapshot which becomes the refresh's frontier to {@code batch};
   * {@code taken} receives it.
   */
  static void take(StatementBatch batch, Consumer<Snapshot> taken) {
    batch.add(
        "SELECT pgtrickle.current_frontier()::text, clock_timestamp()",
        rs -> {
          rs.next();
          taken.accept(new Snapshot(rs.getString(1), rs.getObject(2, OffsetDateTime.class)));
        });
  }

  /**
   * How far a stream table consumed one source: the snapshot, and the transaction that took it with
   * the last buffer row of that transaction it read ({@code ownXid} null when the refresh had no
   * transaction id of its own). Rows of {@code ownXid} after {@code ownSeq} are still waiting: the
   * transaction wrote them after refreshing.
   */
  record Consumed(String snapshot, String ownXid, long ownSeq) {
    /**
     * SQL true for a buffer row ({@code __pgt_xid}, {@code __pgt_seq}) this has not consumed, with
     * placeholders for the values ({@link #values}), so the text stays the same from refresh to
     * refresh.
     */
    static String unconsumedPlaceholders() {
      return "pgtrickle.unconsumed(__pgt_xid, __pgt_seq, ?::pg_snapshot, ?::xid8, ?::bigint)";
    }

    /** The values of {@link #unconsumedPlaceholders}, in order. */
    List<Object> values() {
      return Arrays.asList(snapshot, ownXid, ownSeq);
    }
  }

  /**
   * Adds the query reading the stored frontiers of a stream table by source (a null snapshot: never
   * populated) to {@code batch}; {@code read} receives them.
   */
  static void read(StatementBatch batch, long pgtId, Consumer<Map<Long, Consumed>> read) {
    batch.add(
        "SELECT source_relid, frontier::text, own_xid::text, coalesce(own_seq, 0)"
            + " FROM pgtrickle.pgt_frontiers WHERE pgt_id = "
            + pgtId,
        rs -> {
          Map<Long, Consumed> frontiers = new HashMap<>();
          while (rs.next()) {
            frontiers.put(
                rs.getLong(1),
                rs.getString(2) == null
                    ? null
                    : new Consumed(rs.getString(2), rs.getString(3), rs.getLong(4)));
          }
          read.accept(frontiers);
        });
  }

  /**
   * Adds the statements that store {@code frontier} (null: unpopulated) for exactly these sources,
   * forgetting sources the stream table no longer reads, to {@code batch}. With it goes the current
   * transaction and its last row in each source's buffer: what it wrote so far is consumed, what it
   * writes later is not.
   */
  static void store(StatementBatch batch, long pgtId, List<Long> sources, String frontier) {
    String forgotten = "DELETE FROM pgtrickle.pgt_frontiers WHERE pgt_id = " + pgtId;
    if (sources.isEmpty()) {
      batch.add(forgotten);
      return;
    }
    batch.add(
        forgotten
            + sources.stream()
                .map(String::valueOf)
                .collect(Collectors.joining(", ", " AND source_relid NOT IN (", ")")));
    List<String> rows = new ArrayList<>();
    for (long source : sources) {
      rows.add(
          frontier == null
              ? "(" + source + "::oid, NULL::xid8, NULL::bigint)"
              : "(" + source + "::oid, pg_current_xact_id_if_assigned(), (SELECT max(__pgt_seq) FROM "
                  + new ChangeBuffer(source).qualifiedTable()
                  + " WHERE __pgt_xid = pg_current_xact_id_if_assigned()))");
    }
    batch.addWithValues(
        "INSERT INTO pgtrickle.pgt_frontiers (pgt_id, source_relid, frontier, own_xid, own_seq)"
            + " SELECT "
            + pgtId
            + ", v.source, ?::pg_snapshot, v.own_xid, v.own_seq FROM (VALUES "
            + String.join(", ", rows)
            + ") AS v (source, own_xid, own_seq) ON CONFLICT (pgt_id, source_relid)"
            + " DO UPDATE SET frontier = excluded.frontier, own_xid = excluded.own_xid,"
            + " own_seq = excluded.own_seq",
        frontier);
  }

  /**
   * The query that deletes the buffer rows of these sources that every consumer has consumed
   * ({@code pgtrickle.clean_up_changes}); its one row holds the failures as text, NULL when there
   * were none: it never fails itself. A buffer whose cleanup lock another transaction holds is
   * skipped. Meant for READ COMMITTED: under REPEATABLE READ a concurrent cleanup's deletes make
   * it fail for that buffer (reported, not thrown).
   */
  static String cleanUpQuery(List<Long> sources) {
    return "SELECT pgtrickle.clean_up_changes("
        + sources.stream().map(String::valueOf).collect(Collectors.joining(", ", "ARRAY[", "]"))
        + "::oid[])";
  }

  /**
   * Runs {@link #cleanUpQuery}; returns the failures, null when there were none.
   *
   * @param ownTransaction the caller opened a transaction for the cleanup alone: it is made READ
   *     COMMITTED and committed in the same round trip
   */
  static String cleanUp(Connection c, List<Long> sources, boolean ownTransaction)
      throws SQLException {
    StatementBatch batch = new StatementBatch();
    if (ownTransaction) {
      batch.add("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
    }
    String[] failures = new String[1];
    batch.add(cleanUpQuery(sources), rs -> failures[0] = rs.next() ? rs.getString(1) : null);
    if (ownTransaction) {
      batch.add("COMMIT");
    }
    batch.run(c);
    return failures[0];
  }
}
