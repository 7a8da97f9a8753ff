package dev.trickle.jdbc;

import dev.trickle.rewriter.command.TrickleCommand;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Which result a wrapper statement answers its result methods with: the delegate's, or, from a
 * command's execution until the next execution, the command's result made on the client ({@link
 * CommandResult}). One per {@link TrickleStatement} or {@link TricklePreparedStatement}.
 */
final class CurrentResult {
  private final Statement delegate;
  /** The command's result while it is current; null while the delegate's is. */
  private CommandResult command;

  CurrentResult(Statement delegate) {
    this.delegate = delegate;
  }

  /** An execution starts: a command's result is dropped, the delegate's is current again. */
  void executing() {
    command = null;
  }

  /** Makes the result of {@code executed}, which has run, the current one. */
  CommandResult ofCommand(TrickleCommand executed) throws SQLException {
    command = CommandResult.of(executed, delegate);
    return command;
  }

  ResultSet resultSet() throws SQLException {
    return command != null ? command.resultSet() : delegate.getResultSet();
  }

  ResultSet generatedKeys() throws SQLException {
    // A command generates no keys; the delegate's would be its previous statement's.
    return command != null ? CommandResult.noKeys(delegate) : delegate.getGeneratedKeys();
  }

  int updateCount() throws SQLException {
    return command != null ? (int) command.updateCount() : delegate.getUpdateCount();
  }

  long largeUpdateCount() throws SQLException {
    return command != null ? command.updateCount() : delegate.getLargeUpdateCount();
  }

  boolean moreResults() throws SQLException {
    return command != null
        ? command.moreResults(Statement.CLOSE_CURRENT_RESULT)
        : delegate.getMoreResults();
  }

  boolean moreResults(int current) throws SQLException {
    return command != null ? command.moreResults(current) : delegate.getMoreResults(current);
  }

  /** Closes a command's result set, if one is current: the statement closes. */
  void close() throws SQLException {
    if (command != null) {
      command.close();
    }
  }
}
