package dev.trickle.refresh;

import dev.trickle.catalog.SqlState;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * Which transaction a command on the application's connection runs in, decided by the server's
 * transaction state as PgJDBC tracks it from the protocol, not by JDBC's autocommit flag alone. An
 * application that opened a transaction with SQL text ({@code BEGIN}, {@code START TRANSACTION},
 * {@code BEGIN ISOLATION LEVEL ...}) on a connection in autocommit is inside a transaction although
 * {@code getAutoCommit()} says true; a command that opened and committed a transaction of its own
 * there would commit the application's work early and escape its {@code ROLLBACK}.
 */
public final class ServerTransaction {
  private ServerTransaction() {}

  /**
   * Whether a command on {@code c} runs in a transaction of its own: autocommit is on and the
   * server is outside any transaction. Otherwise it runs in the caller's transaction.
   */
  public static boolean isOwn(Connection c) throws SQLException {
    return c.getAutoCommit() && state(c) == TransactionState.IDLE;
  }

  /**
   * Refuses with 25P02, as PostgreSQL refuses any statement, when the caller's transaction has
   * failed: a command there would change nothing and must not pretend it could.
   */
  public static void requireNotFailed(Connection c) throws SQLException {
    if (state(c) == TransactionState.FAILED) {
      throw SqlState.IN_FAILED_TRANSACTION.exception(
          "current transaction is aborted, commands ignored until end of transaction block"
              + " (roll it back, or back to a savepoint, before running stream-table commands)");
    }
  }

  /** The server's transaction state; IDLE when the connection is not PgJDBC's. */
  private static TransactionState state(Connection c) throws SQLException {
    return c.isWrapperFor(BaseConnection.class)
        ? c.unwrap(BaseConnection.class).getTransactionState()
        : TransactionState.IDLE;
  }
}
