package dev.trickle.refresh;

import dev.trickle.catalog.ServerNotices;
import dev.trickle.catalog.StreamTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The change-buffer cleanup of a refresh when it runs apart from the refresh's own commit (a
 * caller's transaction, the scheduler after its pass), and what follows any cleanup: its failures
 * become warnings on the connection, never errors (the refresh stands; the next cleanup retries),
 * and the buffers it found due are vacuumed ({@link BufferVacuum}).
 */
final class BufferCleanup {
  private BufferCleanup() {}

  /**
   * Cleans up in one round trip: the transaction's isolation level and COMMIT go with the deletes.
   */
  static void inOwnTransaction(Connection c, StreamTable st, List<Long> sources)
      throws SQLException {
    if (sources.isEmpty()) {
      return;
    }
    Frontiers.Cleanup cleanup;
    try (AutosaveOff autosaveOff = AutosaveOff.on(c)) {
      c.setAutoCommit(false);
      try {
        cleanup = Frontiers.cleanUp(c, sources, st.spec().effectiveMode(), true);
      } catch (SQLException e) {
        c.rollback();
        cleanup = Frontiers.Cleanup.failed(RefreshFailures.messageOf(e));
      } catch (RuntimeException | Error e) {
        RefreshEngine.rollbackAfter(c, e);
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
    after(c, st, cleanup);
  }

  /**
   * On a connection back in autocommit after a cleanup: warns of its failures and vacuums the
   * change buffers it found due ({@link BufferVacuum}); a failed vacuum is a warning too.
   */
  static void after(Connection c, StreamTable st, Frontiers.Cleanup cleanup) throws SQLException {
    if (cleanup.failures() != null) {
      warnFailed(c, st, cleanup.failures());
    }
    String failure = BufferVacuum.vacuum(c, cleanup.vacuumDue());
    if (failure != null) {
      ServerNotices.warning(
          c,
          "refreshed stream table "
              + st.displayName()
              + ", but could not vacuum its change buffers (the next cleanup retries): "
              + failure);
    }
  }

  /** Warns on the connection that the refresh stands but its cleanup failed. */
  static void warnFailed(Connection c, StreamTable st, String failures) throws SQLException {
    ServerNotices.warning(
        c,
        "refreshed stream table "
            + st.displayName()
            + ", but could not clean up its change buffers (the next refresh retries): "
            + failures);
  }
}
