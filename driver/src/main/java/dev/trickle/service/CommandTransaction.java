package dev.trickle.service;

import dev.trickle.refresh.AutosaveOff;
import dev.trickle.refresh.NamedSavepoint;
import dev.trickle.refresh.ServerTransaction;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Runs a command atomically. Outside any transaction (autocommit on, the server idle) the command
 * is its own READ COMMITTED transaction (each statement sees everything committed before it; the
 * command's locks keep that consistent). Inside the caller's transaction, whether opened with
 * autocommit off or with {@code BEGIN} sent as text ({@link ServerTransaction}), it runs under a
 * savepoint, rolled back on failure so nothing is left half-done and the caller's transaction goes
 * on, and undone entirely if the caller rolls back (or back to an earlier savepoint). In a failed
 * transaction it is refused with 25P02 and changes nothing.
 */
final class CommandTransaction {
  /** The savepoint a command runs under inside the caller's transaction. */
  static final String SAVEPOINT = "__pgt_command";

  /** The command's work. */
  @FunctionalInterface
  interface Work {
    void run() throws SQLException;
  }

  private CommandTransaction() {}

  static void run(Connection c, Work work) throws SQLException {
    if (ServerTransaction.isOwn(c)) {
      runInOwnTransaction(c, work);
      return;
    }
    ServerTransaction.requireNotFailed(c);
    NamedSavepoint savepoint = NamedSavepoint.set(c, SAVEPOINT);
    try {
      work.run();
      savepoint.release();
    } catch (Throwable e) {
      savepoint.rollbackAfter(e);
      throw e;
    }
  }

  private static void runInOwnTransaction(Connection c, Work work) throws SQLException {
    try (AutosaveOff autosaveOff = AutosaveOff.on(c)) {
      c.setAutoCommit(false);
      try {
        try (Statement st = c.createStatement()) {
          st.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
        }
        work.run();
        c.commit();
      } catch (Throwable e) {
        try {
          c.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }
}
