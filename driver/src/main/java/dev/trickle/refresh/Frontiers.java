package dev.trickle.refresh;

import dev.trickle.capture.ChangeBuffer;
import dev.trickle.catalog.AdvisoryLocks;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
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

  /** The stored frontiers of a stream table by source (a null value: never populated). */
  static Map<Long, String> read(Connection c, long pgtId) throws SQLException {
    Map<Long, String> frontiers = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT source_relid, frontier::text FROM pgtrickle.pgt_frontiers WHERE pgt_id = ?")) {
      ps.setLong(1, pgtId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          frontiers.put(rs.getLong(1), rs.getString(2));
        }
      }
    }
    return frontiers;
  }

  /**
   * Stores {@code frontier} (null: unpopulated) for exactly these sources, forgetting sources the
   * stream table no longer reads.
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
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO pgtrickle.pgt_frontiers (pgt_id, source_relid, frontier)"
                + " VALUES (?, ?::oid, ?::pg_snapshot) ON CONFLICT (pgt_id, source_relid)"
                + " DO UPDATE SET frontier = excluded.frontier")) {
      for (long source : sources) {
        ps.setLong(1, pgtId);
        ps.setLong(2, source);
        ps.setString(3, frontier);
        ps.addBatch();
      }
      ps.executeBatch();
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
                  + " WHERE f.source_relid = ?::oid AND f.frontier IS NOT NULL"
                  + " AND NOT pg_visible_in_snapshot(b.__pgt_xid, f.frontier))")) {
        ps.setLong(1, source);
        ps.executeUpdate();
      }
    }
  }
}
