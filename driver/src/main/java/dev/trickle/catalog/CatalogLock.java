package dev.trickle.catalog;

import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Serializes installs, upgrades and removal of the catalog, in the caller's transaction. When a
 * catalog exists it locks {@code pgtrickle.pgt_meta} ({@code SHARE ROW EXCLUSIVE}, which conflicts
 * with itself but not with readers), which only roles with rights on the catalog can lock. Before
 * the first install there is no catalog relation to lock, so the first installers serialize on the
 * transaction-scoped advisory key {@code (0x54524B43 'TRKC', 0)}, which any role able to connect
 * could hold: it is tried for {@link #FIRST_INSTALL_WAIT} (an install takes well under a second),
 * then the install fails with 55P03 naming the holder (role, process id, application name).
 */
public final class CatalogLock {
  /** Purpose key of the first install's advisory lock. */
  static final int FIRST_INSTALL = 0x54524B43;

  /** How long a first install waits for another one. */
  static final Duration FIRST_INSTALL_WAIT = Duration.ofSeconds(10);

  private static final long RETRY_MILLIS = 50;

  private CatalogLock() {}

  /**
   * Takes the lock, waiting for the installer holding it. Whether the catalog exists is read from
   * {@code pg_class} with the statement's snapshot, never by name lookup, which would leave a
   * cached "no such schema" behind that outlives another installer's commit in this transaction.
   */
  static void take(Connection c) throws SQLException {
    long deadline = System.nanoTime() + FIRST_INSTALL_WAIT.toNanos();
    while (true) {
      if (catalogExists(c)) {
        try (Statement s = c.createStatement()) {
          s.execute("LOCK TABLE pgtrickle.pgt_meta IN SHARE ROW EXCLUSIVE MODE");
        }
        return;
      }
      if (tryFirstInstall(c)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw SqlState.LOCK_NOT_AVAILABLE.exception(
            "cannot install the Trickle catalog: its install lock (advisory key "
                + FIRST_INSTALL
                + ", 0) has been held for "
                + FIRST_INSTALL_WAIT.toSeconds()
                + " s by "
                + holder(c)
                + "; end that session (pg_terminate_backend) or have it release the lock");
      }
      try {
        Thread.sleep(RETRY_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw SqlState.LOCK_NOT_AVAILABLE.exception("interrupted while waiting to install");
      }
    }
  }

  private static boolean catalogExists(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class r JOIN pg_catalog.pg_namespace n"
                    + " ON n.oid = r.relnamespace WHERE n.nspname = 'pgtrickle'"
                    + " AND r.relname = 'pgt_meta')")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static boolean tryFirstInstall(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?, 0)")) {
      ps.setInt(1, FIRST_INSTALL);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** Who holds the first install's key: role, process id and application name. */
  private static String holder(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT coalesce(a.usename::text, '?') AS role, l.pid,"
                + " coalesce(a.application_name, '') AS application_name"
                + " FROM pg_catalog.pg_locks l"
                + " LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
                + " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ?::oid"
                + " AND l.objid = 0 AND l.objsubid = 2"
                + " AND l.database = (SELECT oid FROM pg_catalog.pg_database"
                + " WHERE datname = current_database())")) {
      ps.setLong(1, FIRST_INSTALL);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return "a session that has released it since";
        }
        return "role "
            + Sql.identifier(rs.getString("role"))
            + " (pid "
            + rs.getInt("pid")
            + ", application_name "
            + Sql.literal(rs.getString("application_name"))
            + ")";
      }
    }
  }
}
