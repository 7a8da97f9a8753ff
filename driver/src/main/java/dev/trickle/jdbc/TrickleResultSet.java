package dev.trickle.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The interceptor of a result set: {@link #getStatement()} returns the Trickle statement that
 * produced it rather than the PgJDBC one, so code that walks from a result set to its connection
 * stays on the wrappers. Reading rows is PgJDBC's, through {@link Delegation}.
 */
final class TrickleResultSet extends Interceptor {
  private final Statement statement;
  private final ResultSet delegate;
  private volatile boolean closed;

  private TrickleResultSet(Statement statement, ResultSet delegate) {
    super(delegate);
    this.statement = statement;
    this.delegate = delegate;
  }

  /** The wrapper of {@code delegate}, produced by the wrapper {@code statement}. */
  static ResultSet wrap(Statement statement, ResultSet delegate) {
    return new TrickleResultSet(statement, delegate).wrapAs(ResultSet.class, delegate);
  }

  public Statement getStatement() {
    return statement;
  }

  public void close() throws SQLException {
    if (closed) {
      return;
    }
    closed = true;
    delegate.close();
  }

  public boolean isClosed() throws SQLException {
    return closed || delegate.isClosed();
  }
}
