package dev.trickle.jdbc;

import dev.trickle.rewriter.command.TrickleCommand;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.postgresql.core.BaseStatement;
import org.postgresql.core.Field;
import org.postgresql.core.Oid;
import org.postgresql.core.Tuple;

/**
 * The result a stream-table command leaves on a {@link TrickleStatement} or {@link
 * TricklePreparedStatement}, made on the client instead of by a statement of the same shape on the
 * server: one round trip fewer for every command, which for a small refresh is a tenth of its
 * time. It is what PostgreSQL would return:
 *
 * <ul>
 *   <li>{@code Form.FUNCTION_CALL}: one row with one column of type {@code void} named after the
 *       function, holding the empty value, built by PgJDBC ({@link
 *       BaseStatement#createDriverResultSet}, as PgJDBC builds its own metadata results) on the
 *       delegate statement, so its getters, metadata, fetch settings and {@code closeOnCompletion}
 *       behave as for a real call;
 *   <li>{@code Form.DDL}: no result set, update count 0, like {@code CREATE TABLE}.
 * </ul>
 *
 * Like a statement's own results, it is read once: {@link #moreResults} moves past it.
 */
final class CommandResult {
  private ResultSet resultSet;
  private long updateCount;

  private CommandResult(ResultSet resultSet, long updateCount) {
    this.resultSet = resultSet;
    this.updateCount = updateCount;
  }

  /**
   * The result of {@code command}, run through {@code delegate}'s wrapper. Like any execution, it
   * clears the statement's warnings (a command's own warnings are the connection's).
   */
  static CommandResult of(TrickleCommand command, Statement delegate) throws SQLException {
    delegate.clearWarnings();
    if (command.form() == TrickleCommand.Form.DDL) {
      return new CommandResult(null, 0);
    }
    Field column = new Field(command.functionName(), Oid.VOID);
    Tuple emptyValue = new Tuple(new byte[][] {new byte[0]});
    return new CommandResult(
        delegate
            .unwrap(BaseStatement.class)
            .createDriverResultSet(new Field[] {column}, List.of(emptyValue)),
        -1);
  }

  /**
   * The empty generated-keys result PgJDBC gives for a statement that generated none, made on
   * {@code delegate}.
   */
  static ResultSet noKeys(Statement delegate) throws SQLException {
    return delegate.unwrap(BaseStatement.class).createDriverResultSet(new Field[0], List.of());
  }

  /**
   * The result for {@code executeQuery}: the result set, or PgJDBC's refusal (02000) of a
   * statement that returns none, after the command ran, as for PostgreSQL's own statements.
   */
  ResultSet forQuery() throws SQLException {
    if (resultSet == null) {
      throw new SQLException("No results were returned by the query.", "02000");
    }
    return resultSet;
  }

  /**
   * The result for {@code executeUpdate}: the update count, or PgJDBC's refusal (0100E) of a
   * statement that returns rows, after the command ran, as for PostgreSQL's own statements.
   */
  long forUpdate() throws SQLException {
    if (resultSet != null) {
      throw new SQLException("A result was returned when none was expected.", "0100E");
    }
    return updateCount;
  }

  /** Whether the result is a result set (what {@link Statement#execute} returns). */
  boolean isQuery() {
    return resultSet != null;
  }

  /** The result set, null for an update count or once moved past. */
  ResultSet resultSet() {
    return resultSet;
  }

  /** The update count, -1 for a result set or once moved past. */
  long updateCount() {
    return updateCount;
  }

  /**
   * Moves past the result as {@link Statement#getMoreResults(int)} does; there is never another,
   * so it returns false.
   */
  boolean moreResults(int current) throws SQLException {
    if (resultSet != null && current != Statement.KEEP_CURRENT_RESULT) {
      resultSet.close();
    }
    resultSet = null;
    updateCount = -1;
    return false;
  }

  /** Closes the result set, if any: the statement closes. */
  void close() throws SQLException {
    if (resultSet != null) {
      resultSet.close();
    }
  }
}
