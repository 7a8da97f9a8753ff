package dev.trickle.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Transaction-scoped advisory locks Trickle takes, in one key scheme shared by every JVM that runs
 * the driver or the scheduler. Keys use the two-integer form {@code pg_advisory_xact_lock(int4,
 * int4)}: the first integer names the purpose, the second is an object id (an {@code oid} wrapped
 * into {@code int4}):
 *
 * <ul>
 *   <li>{@code (0x54524B43 'TRKC', 0)}: catalog install, upgrade and removal.
 *   <li>{@code (0x54524B52 'TRKR', pgt_relid)}: a refresh (or repopulation) of the stream table
 *       whose storage table has that oid. Held for the refresh transaction; the scheduler takes
 *       the same key (with {@code pg_try_advisory_xact_lock} to skip a busy table).
 *   <li>{@code (0x54524B42 'TRKB', source oid)}: cleanup of that source's change buffer; taken with
 *       try-lock, a busy buffer is left for the next refresh.
 * </ul>
 */
public final class AdvisoryLocks {
  /** Purpose key of the catalog lock. */
  public static final int CATALOG = 0x54524B43;
  /** Purpose key of refresh locks. */
  public static final int REFRESH = 0x54524B52;
  /** Purpose key of change-buffer cleanup locks. */
  public static final int BUFFER_CLEANUP = 0x54524B42;

  private AdvisoryLocks() {}

  /** Waits for the catalog lock. */
  public static void lockCatalog(Connection c) throws SQLException {
    lock(c, CATALOG, 0);
  }

  /** Waits for the refresh lock of the stream table stored in {@code storageRelid}. */
  public static void lockRefresh(Connection c, long storageRelid) throws SQLException {
    lock(c, REFRESH, storageRelid);
  }

  /** Takes the cleanup lock of a source's change buffer if free; true when taken. */
  public static boolean tryLockBufferCleanup(Connection c, long sourceRelid) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?, ?)")) {
      ps.setInt(1, BUFFER_CLEANUP);
      ps.setInt(2, (int) sourceRelid);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
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
