package dev.trickle.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The advisory locks Trickle takes, in one key scheme shared by every JVM that runs the driver or
 * the scheduler. Keys use the two-integer form ({@code pg_advisory_xact_lock(int4, int4)}): the
 * first integer names the purpose, the second is an object id (an {@code oid} wrapped into {@code
 * int4}). Advisory locks are per database, so each key is too.
 *
 * <ul>
 *   <li>{@code (0x54524B43 'TRKC', 0)}: catalog install, upgrade and removal (transaction-scoped).
 *   <li>{@code (0x54524B52 'TRKR', pgt_relid)}: a refresh (or repopulation) of the stream table
 *       whose storage table has that oid (transaction-scoped), taken after the storage table's
 *       {@code SHARE UPDATE EXCLUSIVE} lock. The scheduler asks for that table lock with {@code
 *       NOWAIT} and skips a busy table (see {@code RefreshEngine.refreshUnlessBusy}).
 *   <li>{@code (0x54524B42 'TRKB', source oid)}: cleanup of that source's change buffer
 *       (transaction-scoped), taken by {@code pgtrickle.clean_up_changes} with try-lock: a busy
 *       buffer is left for the next refresh.
 *   <li>{@code (0x54524B53 'TRKS', 0)}: scheduler leadership of the database. The only
 *       session-level lock: the leading scheduler holds it on its leader connection for as long as
 *       it leads, standbys try for it ({@code pg_try_advisory_lock}) about once a second, and the
 *       server releases it when the leader's connection ends, however its process died.
 * </ul>
 */
public final class AdvisoryLocks {
  /** Purpose key of the catalog lock. */
  public static final int CATALOG = 0x54524B43;
  /** Purpose key of refresh locks. */
  public static final int REFRESH = 0x54524B52;
  /** Purpose key of the scheduler leadership lock (session-level). */
  public static final int SCHEDULER_LEADER = 0x54524B53;

  private AdvisoryLocks() {}

  /** Waits for the catalog lock. */
  public static void lockCatalog(Connection c) throws SQLException {
    lock(c, CATALOG, 0);
  }

  /**
   * The query that waits for the refresh lock of the stream table stored in {@code storageRelid},
   * for a statement batch.
   */
  public static String lockRefreshQuery(long storageRelid) {
    return "SELECT pg_advisory_xact_lock(" + REFRESH + ", " + (int) storageRelid + ")";
  }

  /**
   * Takes the database's scheduler leadership lock for this session if free; true when taken (or
   * already held by this session).
   */
  public static boolean tryLockSchedulerLeader(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, 0)")) {
      ps.setInt(1, SCHEDULER_LEADER);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** Releases the scheduler leadership lock held by this session, if any. */
  public static void unlockSchedulerLeader(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?, 0)")) {
      ps.setInt(1, SCHEDULER_LEADER);
      ps.execute();
    }
  }

  private static void lock(Connection c, int purpose, long object) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?, ?)")) {
      ps.setInt(1, purpose);
      ps.setInt(2, (int) object);
      ps.execute();
    }
  }
}
