package dev.trickle.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What every Trickle statement intercepts (plain, prepared and callable alike): the current result,
 * which may be a stream-table command's made on the client ({@link CurrentResult}); result sets
 * whose {@code getStatement()} leads back to the wrapper; {@link #getConnection()} returning the
 * Trickle connection; {@code close}; {@code unwrap} ({@link Interceptor}). Everything else a statement does is
 * PgJDBC's, through {@link Delegation}.
 */
abstract sealed class StatementBase extends Interceptor permits TrickleStatement, TricklePreparedStatement {
  private final TrickleConnection connection;
  private final Statement delegate;
  private final CurrentResult currentResult;
  private WrappedResults results;
  private volatile boolean closed;

  StatementBase(TrickleConnection connection, Statement delegate) {
    super(delegate);
    this.connection = connection;
    this.delegate = delegate;
    this.currentResult = new CurrentResult(delegate);
  }

  /** Makes {@code api}'s wrapper over {@code delegate} with this interceptor. */
  final <T extends Statement> T wrapStatement(Class<T> api, T delegate) {
    T wrapper = wrapAs(api, delegate);
    results = new WrappedResults(wrapper);
    return wrapper;
  }

  /** The current result, dropped by each execution. */
  final CurrentResult currentResult() {
    return currentResult;
  }

  /** The wrapper of {@code resultSet}, whose {@code getStatement()} is this statement's wrapper. */
  final ResultSet wrapped(ResultSet resultSet) {
    return results.wrap(resultSet);
  }

  public ResultSet getResultSet() throws SQLException {
    return wrapped(currentResult.resultSet());
  }

  public ResultSet getGeneratedKeys() throws SQLException {
    return wrapped(currentResult.generatedKeys());
  }

  public int getUpdateCount() throws SQLException {
    return currentResult.updateCount();
  }

  public long getLargeUpdateCount() throws SQLException {
    return currentResult.largeUpdateCount();
  }

  public boolean getMoreResults() throws SQLException {
    return currentResult.moreResults();
  }

  public boolean getMoreResults(int current) throws SQLException {
    return currentResult.moreResults(current);
  }

  public int[] executeBatch() throws SQLException {
    currentResult.executing();
    return delegate.executeBatch();
  }

  public long[] executeLargeBatch() throws SQLException {
    currentResult.executing();
    return delegate.executeLargeBatch();
  }

  public Connection getConnection() {
    return connection;
  }

  public void close() throws SQLException {
    if (closed) {
      return;
    }
    closed = true;
    currentResult.close();
    delegate.close();
  }

  public boolean isClosed() throws SQLException {
    return closed || delegate.isClosed();
  }
}
