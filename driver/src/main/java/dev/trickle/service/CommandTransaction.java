package dev.trickle.service;

import dev.trickle.refresh.AutosaveOff;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;

/**
 * Runs a command atomically. In autocommit the command is its own READ COMMITTED transaction
 * (each statement sees everything committed before it; the command's locks keep that consistent);
 * with autocommit off it runs inside the caller's transaction under a savepoint, rolled back on
 * failure so nothing is left half-done, and undone entirely if the caller rolls back.
 */
final class CommandTransaction {
  /** The command's work. */
  @FunctionalInterface
  interface Work {
    void run() throws SQLException;
  }

  private CommandTransaction() {}

  static void run(Connection c, Work work) throws SQLException {
    if (c.getAutoCommit()) {
      try (AutosaveOff autosaveOff = AutosaveOff.on(c)) {
        c.setAutoCommit(false);
        try {
          try (Statement st = c.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
          }
          work.run();
          c.commit();
        } catch (SQLException | RuntimeException e) {
          rollback(c, null, e);
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
      }
    } else {
      Savepoint savepoint = c.setSavepoint();
      try {
        work.run();
        c.releaseSavepoint(savepoint);
      } catch (SQLException | RuntimeException e) {
        rollback(c, savepoint, e);
        throw e;
      }
    }
  }

  private static void rollback(Connection c, Savepoint savepoint, Exception cause) {
    try {
      if (savepoint == null) {
        c.rollback();
      } else {
        c.rollback(savepoint);
        c.releaseSavepoint(savepoint);
      }
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
