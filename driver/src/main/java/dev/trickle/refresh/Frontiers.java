package dev.trickle.refresh;

import dev.trickle.capture.ChangeBuffer;
import dev.trickle.catalog.AdvisoryLocks;
import dev.trickle.catalog.Quoting;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

  /** Takes the snapshot that becomes the refresh's frontier. */
  static Snapshot take(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT pgtrickle.current_frontier()::text, clock_timestamp()");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new Snapshot(rs.getString(1), rs.getObject(2, OffsetDateTime.class));
    }
  }

  /**
   * How far a stream table consumed one source: the snapshot, and the transaction that took it with
   * the last buffer row of that transaction it read ({@code ownXid} null when the refresh had no
   * transaction id of its own). Rows of {@code ownXid} after {@code ownSeq} are still waiting: the
   * transaction wrote them after refreshing.
   */
  record Consumed(String snapshot, String ownXid, long ownSeq) {
    /** SQL true for a buffer row ({@code __pgt_xid}, {@code __pgt_seq}) this has not consumed. */
    String unconsumedSql() {
      return "pgtrickle.unconsumed(__pgt_xid, __pgt_seq, " + Quoting.literal(snapshot) + "::pg_snapshot, "
          + (ownXid == null ? "NULL" : Quoting.literal(ownXid) + "::xid8") + ", " + ownSeq + ")";
    }
  }

  /** The stored frontiers of a stream table by source (a null snapshot: never populated). */
  static Map<Long, Consumed> read(Connection c, long pgtId) throws SQLException {
    Map<Long, Consumed> frontiers = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT source_relid, frontier::text, own_xid::text, coalesce(own_seq, 0)"
                + " FROM pgtrickle.pgt_frontiers WHERE pgt_id = ?")) {
      ps.setLong(1, pgtId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          frontiers.put(
              rs.getLong(1),
              rs.getString(2) == null ? null : new Consumed(rs.getString(2), rs.getString(3), rs.getLong(4)));
        }
      }
    }
    return frontiers;
  }

  /**
   * Stores {@code frontier} (null: unpopulated) for exactly these sources, forgetting sources the
   * stream table no longer reads. With it goes the current transaction and its last row in each
   * source's buffer: what it wrote so far is consumed, what it writes later is not.
   */
  static void store(Connection c, long pgtId, List<Long> sources, String frontier)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM pgtrickle.pgt_frontiers WHERE pgt_id = ? AND source_relid <> ALL (?::oid[])")) {
      ps.setLong(1, pgtId);
      ps.setArray(2, c.createArrayOf("int8", sources.toArray()));
      ps.executeUpdate();
    }
    if (sources.isEmpty()) {
      return;
    }
    List<String> rows = new ArrayList<>();
    for (long source : sources) {
      rows.add(
          frontier == null
              ? "(" + source + "::oid, NULL::xid8, NULL::bigint)"
              : "(" + source + "::oid, pg_current_xact_id_if_assigned(), (SELECT max(__pgt_seq) FROM "
                  + new ChangeBuffer(source).qualifiedTable()
                  + " WHERE __pgt_xid = pg_current_xact_id_if_assigned()))");
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO pgtrickle.pgt_frontiers (pgt_id, source_relid, frontier, own_xid, own_seq)"
                + " SELECT ?, v.source, ?::pg_snapshot, v.own_xid, v.own_seq FROM (VALUES "
                + String.join(", ", rows)
                + ") AS v (source, own_xid, own_seq) ON CONFLICT (pgt_id, source_relid)"
                + " DO UPDATE SET frontier = excluded.frontier, own_xid = excluded.own_xid,"
                + " own_seq = excluded.own_seq")) {
      ps.setLong(1, pgtId);
      ps.setString(2, frontier);
      ps.executeUpdate();
    }
  }

  /**
   * Deletes the buffer rows of these sources that every consumer has consumed. Runs in READ
   * COMMITTED only: a concurrent cleanup's deletes would make a REPEATABLE READ delete fail with a
   * serialization error. A buffer whose cleanup lock is taken is skipped.
   */
  static void cleanUp(Connection c, List<Long> sources) throws SQLException {
    for (long source : sources) {
      if (!AdvisoryLocks.tryLockBufferCleanup(c, source)) {
        continue;
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "DELETE FROM "
                  + new ChangeBuffer(source).qualifiedTable()
                  + " b WHERE NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_frontiers f"
                  + " WHERE f.source_relid = ?::oid AND f.frontier IS NOT NULL AND pgtrickle.unconsumed("
                  + "b.__pgt_xid, b.__pgt_seq, f.frontier, f.own_xid, f.own_seq))")) {
        ps.setLong(1, source);
        ps.executeUpdate();
      }
    }
  }
}
