package dev.trickle.jdbc;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.util.Calendar;

/**
 * A prepared statement of a {@link TrickleConnection}. When its text is a stream-table command (see
 * {@link StatementRouter}), the delegate holds a statement of the command's result shape (for the
 * statement's metadata and parameter metadata), the bound values are recorded as text, and each
 * execution runs the command with them and makes its result on the client ({@link CommandResult}),
 * which answers the result methods until the next execution.
 */
public final class TricklePreparedStatement implements PreparedStatement {
  private final TrickleConnection connection;
  private final PreparedStatement delegate;
  private final StatementRouter router;
  private final PreparedCommand command;
  private final BoundParameters parameters;
  private final WrappedResults results = new WrappedResults(this);
  private volatile boolean closed;
  private final CurrentResult currentResult;


  /**
   * Wraps {@code delegate}, prepared with {@link StatementRouter#preparedSql}.
   *
   * @param command the stream-table command, or null when the statement passes through
   */
  TricklePreparedStatement(
      TrickleConnection connection,
      PreparedStatement delegate,
      StatementRouter router,
      PreparedCommand command) {
    this.connection = connection;
    this.delegate = delegate;
    this.currentResult = new CurrentResult(delegate);
    this.router = router;
    this.command = command;
    this.parameters = command == null ? null : new BoundParameters(command.placeholders());
  }

  // ---- interception

  @Override
  public ResultSet executeQuery() throws SQLException {
    currentResult.executing();
    if (command != null) {
      return results.wrap(runCommand().forQuery());
    }
    return results.wrap(delegate.executeQuery());
  }

  @Override
  public int executeUpdate() throws SQLException {
    currentResult.executing();
    if (command != null) {
      return (int) runCommand().forUpdate();
    }
    return delegate.executeUpdate();
  }

  @Override
  public boolean execute() throws SQLException {
    currentResult.executing();
    if (command != null) {
      return runCommand().isQuery();
    }
    return delegate.execute();
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    currentResult.executing();
    if (command != null) {
      return runCommand().forUpdate();
    }
    return delegate.executeLargeUpdate();
  }

  /** Runs the command with the bound values and makes its result the current one. */
  private CommandResult runCommand() throws SQLException {
    return router.execute(delegate, command, parameters, currentResult::ofCommand);
  }

  @Override
  public void addBatch() throws SQLException {
    if (command != null) {
      throw StatementRouter.batchRefusal(command.statement());
    }
    delegate.addBatch();
  }

  @Override
  public void clearParameters() throws SQLException {
    delegate.clearParameters();
    if (parameters != null) {
      parameters.clear();
    }
  }

  @Override
  public ResultSet executeQuery(String sql) throws SQLException {
    return results.wrap(delegate.executeQuery(sql));
  }

  @Override
  public ResultSet getResultSet() throws SQLException {
    return results.wrap(currentResult.resultSet());
  }

  @Override
  public ResultSet getGeneratedKeys() throws SQLException {
    return results.wrap(currentResult.generatedKeys());
  }

  @Override
  public Connection getConnection() {
    return connection;
  }

  @Override
  public void close() throws SQLException {
    if (closed) {
      return;
    }
    closed = true;
    currentResult.close();
    delegate.close();
  }

  @Override
  public boolean isClosed() throws SQLException {
    return closed || delegate.isClosed();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }

  @Override
  public void setNull(int parameterIndex, int sqlType) throws SQLException {
    delegate.setNull(parameterIndex, sqlType);
    if (parameters != null) {
      parameters.setText(parameterIndex, null);
    }
  }

  @Override
  public void setBoolean(int parameterIndex, boolean x) throws SQLException {
    delegate.setBoolean(parameterIndex, x);
    if (parameters != null) {
      parameters.setText(parameterIndex, String.valueOf(x));
    }
  }

  @Override
  public void setByte(int parameterIndex, byte x) throws SQLException {
    delegate.setByte(parameterIndex, x);
    if (parameters != null) {
      parameters.setText(parameterIndex, String.valueOf(x));
    }
  }

  @Override
  public void setShort(int parameterIndex, short x) throws SQLException {
    delegate.setShort(parameterIndex, x);
    if (parameters != null) {
      parameters.setText(parameterIndex, String.valueOf(x));
    }
  }

  @Override
  public void setInt(int parameterIndex, int x) throws SQLException {
    delegate.setInt(parameterIndex, x);
    if (parameters != null) {
      parameters.setText(parameterIndex, String.valueOf(x));
    }
  }

  @Override
  public void setLong(int parameterIndex, long x) throws SQLException {
    delegate.setLong(parameterIndex, x);
    if (parameters != null) {
      parameters.setText(parameterIndex, String.valueOf(x));
    }
  }

  @Override
  public void setFloat(int parameterIndex, float x) throws SQLException {
    delegate.setFloat(parameterIndex, x);
    if (parameters != null) {
      parameters.setText(parameterIndex, String.valueOf(x));
    }
  }

  @Override
  public void setDouble(int parameterIndex, double x) throws SQLException {
    delegate.setDouble(parameterIndex, x);
    if (parameters != null) {
      parameters.setText(parameterIndex, String.valueOf(x));
    }
  }

  @Override
  public void setBigDecimal(int parameterIndex, BigDecimal x) throws SQLException {
    delegate.setBigDecimal(parameterIndex, x);
    if (parameters != null) {
      parameters.setObject(parameterIndex, x);
    }
  }

  @Override
  public void setString(int parameterIndex, String x) throws SQLException {
    delegate.setString(parameterIndex, x);
    if (parameters != null) {
      parameters.setObject(parameterIndex, x);
    }
  }

  @Override
  public void setBytes(int parameterIndex, byte[] x) throws SQLException {
    delegate.setBytes(parameterIndex, x);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setBytes");
    }
  }

  @Override
  public void setDate(int parameterIndex, java.sql.Date x) throws SQLException {
    delegate.setDate(parameterIndex, x);
    if (parameters != null) {
      parameters.setObject(parameterIndex, x);
    }
  }

  @Override
  public void setTime(int parameterIndex, java.sql.Time x) throws SQLException {
    delegate.setTime(parameterIndex, x);
    if (parameters != null) {
      parameters.setObject(parameterIndex, x);
    }
  }

  @Override
  public void setTimestamp(int parameterIndex, java.sql.Timestamp x) throws SQLException {
    delegate.setTimestamp(parameterIndex, x);
    if (parameters != null) {
      parameters.setObject(parameterIndex, x);
    }
  }

  @Override
  public void setAsciiStream(int parameterIndex, java.io.InputStream x, int length)
      throws SQLException {
    delegate.setAsciiStream(parameterIndex, x, length);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setAsciiStream");
    }
  }

  @Deprecated
  @Override
  public void setUnicodeStream(int parameterIndex, java.io.InputStream x, int length)
      throws SQLException {
    delegate.setUnicodeStream(parameterIndex, x, length);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setUnicodeStream");
    }
  }

  @Override
  public void setBinaryStream(int parameterIndex, java.io.InputStream x, int length)
      throws SQLException {
    delegate.setBinaryStream(parameterIndex, x, length);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setBinaryStream");
    }
  }

  @Override
  public void setObject(int parameterIndex, Object x, int targetSqlType) throws SQLException {
    delegate.setObject(parameterIndex, x, targetSqlType);
    if (parameters != null) {
      parameters.setObject(parameterIndex, x);
    }
  }

  @Override
  public void setObject(int parameterIndex, Object x) throws SQLException {
    delegate.setObject(parameterIndex, x);
    if (parameters != null) {
      parameters.setObject(parameterIndex, x);
    }
  }

  @Override
  public void setCharacterStream(int parameterIndex, java.io.Reader reader, int length)
      throws SQLException {
    delegate.setCharacterStream(parameterIndex, reader, length);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setCharacterStream");
    }
  }

  @Override
  public void setRef(int parameterIndex, Ref x) throws SQLException {
    delegate.setRef(parameterIndex, x);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setRef");
    }
  }

  @Override
  public void setBlob(int parameterIndex, Blob x) throws SQLException {
    delegate.setBlob(parameterIndex, x);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setBlob");
    }
  }

  @Override
  public void setClob(int parameterIndex, Clob x) throws SQLException {
    delegate.setClob(parameterIndex, x);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setClob");
    }
  }

  @Override
  public void setArray(int parameterIndex, Array x) throws SQLException {
    delegate.setArray(parameterIndex, x);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setArray");
    }
  }

  @Override
  public void setDate(int parameterIndex, java.sql.Date x, Calendar cal) throws SQLException {
    delegate.setDate(parameterIndex, x, cal);
    if (parameters != null) {
      parameters.setObject(parameterIndex, x);
    }
  }

  @Override
  public void setTime(int parameterIndex, java.sql.Time x, Calendar cal) throws SQLException {
    delegate.setTime(parameterIndex, x, cal);
    if (parameters != null) {
      parameters.setObject(parameterIndex, x);
    }
  }

  @Override
  public void setTimestamp(int parameterIndex, java.sql.Timestamp x, Calendar cal)
      throws SQLException {
    delegate.setTimestamp(parameterIndex, x, cal);
    if (parameters != null) {
      parameters.setObject(parameterIndex, x);
    }
  }

  @Override
  public void setNull(int parameterIndex, int sqlType, String typeName) throws SQLException {
    delegate.setNull(parameterIndex, sqlType, typeName);
    if (parameters != null) {
      parameters.setText(parameterIndex, null);
    }
  }

  @Override
  public void setURL(int parameterIndex, java.net.URL x) throws SQLException {
    delegate.setURL(parameterIndex, x);
    if (parameters != null) {
      parameters.setObject(parameterIndex, x);
    }
  }

  @Override
  public void setRowId(int parameterIndex, RowId x) throws SQLException {
    delegate.setRowId(parameterIndex, x);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setRowId");
    }
  }

  @Override
  public void setNString(int parameterIndex, String value) throws SQLException {
    delegate.setNString(parameterIndex, value);
    if (parameters != null) {
      parameters.setObject(parameterIndex, value);
    }
  }

  @Override
  public void setNCharacterStream(int parameterIndex, Reader value, long length)
      throws SQLException {
    delegate.setNCharacterStream(parameterIndex, value, length);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setNCharacterStream");
    }
  }

  @Override
  public void setNClob(int parameterIndex, NClob value) throws SQLException {
    delegate.setNClob(parameterIndex, value);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setNClob");
    }
  }

  @Override
  public void setClob(int parameterIndex, Reader reader, long length) throws SQLException {
    delegate.setClob(parameterIndex, reader, length);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setClob");
    }
  }

  @Override
  public void setBlob(int parameterIndex, InputStream inputStream, long length)
      throws SQLException {
    delegate.setBlob(parameterIndex, inputStream, length);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setBlob");
    }
  }

  @Override
  public void setNClob(int parameterIndex, Reader reader, long length) throws SQLException {
    delegate.setNClob(parameterIndex, reader, length);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setNClob");
    }
  }

  @Override
  public void setSQLXML(int parameterIndex, SQLXML xmlObject) throws SQLException {
    delegate.setSQLXML(parameterIndex, xmlObject);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setSQLXML");
    }
  }

  @Override
  public void setObject(int parameterIndex, Object x, int targetSqlType, int scaleOrLength)
      throws SQLException {
    delegate.setObject(parameterIndex, x, targetSqlType, scaleOrLength);
    if (parameters != null) {
      parameters.setObject(parameterIndex, x);
    }
  }

  @Override
  public void setAsciiStream(int parameterIndex, java.io.InputStream x, long length)
      throws SQLException {
    delegate.setAsciiStream(parameterIndex, x, length);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setAsciiStream");
    }
  }

  @Override
  public void setBinaryStream(int parameterIndex, java.io.InputStream x, long length)
      throws SQLException {
    delegate.setBinaryStream(parameterIndex, x, length);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setBinaryStream");
    }
  }

  @Override
  public void setCharacterStream(int parameterIndex, java.io.Reader reader, long length)
      throws SQLException {
    delegate.setCharacterStream(parameterIndex, reader, length);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setCharacterStream");
    }
  }

  @Override
  public void setAsciiStream(int parameterIndex, java.io.InputStream x) throws SQLException {
    delegate.setAsciiStream(parameterIndex, x);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setAsciiStream");
    }
  }

  @Override
  public void setBinaryStream(int parameterIndex, java.io.InputStream x) throws SQLException {
    delegate.setBinaryStream(parameterIndex, x);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setBinaryStream");
    }
  }

  @Override
  public void setCharacterStream(int parameterIndex, java.io.Reader reader) throws SQLException {
    delegate.setCharacterStream(parameterIndex, reader);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setCharacterStream");
    }
  }

  @Override
  public void setNCharacterStream(int parameterIndex, Reader value) throws SQLException {
    delegate.setNCharacterStream(parameterIndex, value);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setNCharacterStream");
    }
  }

  @Override
  public void setClob(int parameterIndex, Reader reader) throws SQLException {
    delegate.setClob(parameterIndex, reader);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setClob");
    }
  }

  @Override
  public void setBlob(int parameterIndex, InputStream inputStream) throws SQLException {
    delegate.setBlob(parameterIndex, inputStream);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setBlob");
    }
  }

  @Override
  public void setNClob(int parameterIndex, Reader reader) throws SQLException {
    delegate.setNClob(parameterIndex, reader);
    if (parameters != null) {
      parameters.setUnreadable(parameterIndex, "setNClob");
    }
  }

  @Override
  public void setObject(int parameterIndex, Object x, SQLType targetSqlType, int scaleOrLength)
      throws SQLException {
    delegate.setObject(parameterIndex, x, targetSqlType, scaleOrLength);
    if (parameters != null) {
      parameters.setObject(parameterIndex, x);
    }
  }

  @Override
  public void setObject(int parameterIndex, Object x, SQLType targetSqlType) throws SQLException {
    delegate.setObject(parameterIndex, x, targetSqlType);
    if (parameters != null) {
      parameters.setObject(parameterIndex, x);
    }
  }

  // ---- pure delegation

  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    return delegate.getMetaData();
  }

  @Override
  public ParameterMetaData getParameterMetaData() throws SQLException {
    return delegate.getParameterMetaData();
  }

  @Override
  public int executeUpdate(String sql) throws SQLException {
    return delegate.executeUpdate(sql);
  }

  @Override
  public int getMaxFieldSize() throws SQLException {
    return delegate.getMaxFieldSize();
  }

  @Override
  public void setMaxFieldSize(int max) throws SQLException {
    delegate.setMaxFieldSize(max);
  }

  @Override
  public int getMaxRows() throws SQLException {
    return delegate.getMaxRows();
  }

  @Override
  public void setMaxRows(int max) throws SQLException {
    delegate.setMaxRows(max);
  }

  @Override
  public void setEscapeProcessing(boolean enable) throws SQLException {
    delegate.setEscapeProcessing(enable);
  }

  @Override
  public int getQueryTimeout() throws SQLException {
    return delegate.getQueryTimeout();
  }

  @Override
  public void setQueryTimeout(int seconds) throws SQLException {
    delegate.setQueryTimeout(seconds);
  }

  @Override
  public void cancel() throws SQLException {
    delegate.cancel();
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    return delegate.getWarnings();
  }

  @Override
  public void clearWarnings() throws SQLException {
    delegate.clearWarnings();
  }

  @Override
  public void setCursorName(String name) throws SQLException {
    delegate.setCursorName(name);
  }

  @Override
  public boolean execute(String sql) throws SQLException {
    return delegate.execute(sql);
  }

  @Override
  public int getUpdateCount() throws SQLException {
    return currentResult.updateCount();
  }

  @Override
  public boolean getMoreResults() throws SQLException {
    return currentResult.moreResults();
  }

  @Override
  public void setFetchDirection(int direction) throws SQLException {
    delegate.setFetchDirection(direction);
  }

  @Override
  public int getFetchDirection() throws SQLException {
    return delegate.getFetchDirection();
  }

  @Override
  public void setFetchSize(int rows) throws SQLException {
    delegate.setFetchSize(rows);
  }

  @Override
  public int getFetchSize() throws SQLException {
    return delegate.getFetchSize();
  }

  @Override
  public int getResultSetConcurrency() throws SQLException {
    return delegate.getResultSetConcurrency();
  }

  @Override
  public int getResultSetType() throws SQLException {
    return delegate.getResultSetType();
  }

  @Override
  public void addBatch(String sql) throws SQLException {
    delegate.addBatch(sql);
  }

  @Override
  public void clearBatch() throws SQLException {
    delegate.clearBatch();
  }

  @Override
  public int[] executeBatch() throws SQLException {
    currentResult.executing();
    return delegate.executeBatch();
  }

  @Override
  public boolean getMoreResults(int current) throws SQLException {
    return this.currentResult.moreResults(current);
  }

  @Override
  public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
    return delegate.executeUpdate(sql, autoGeneratedKeys);
  }

  @Override
  public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
    return delegate.executeUpdate(sql, columnIndexes);
  }

  @Override
  public int executeUpdate(String sql, String[] columnNames) throws SQLException {
    return delegate.executeUpdate(sql, columnNames);
  }

  @Override
  public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
    return delegate.execute(sql, autoGeneratedKeys);
  }

  @Override
  public boolean execute(String sql, int[] columnIndexes) throws SQLException {
    return delegate.execute(sql, columnIndexes);
  }

  @Override
  public boolean execute(String sql, String[] columnNames) throws SQLException {
    return delegate.execute(sql, columnNames);
  }

  @Override
  public int getResultSetHoldability() throws SQLException {
    return delegate.getResultSetHoldability();
  }

  @Override
  public void setPoolable(boolean poolable) throws SQLException {
    delegate.setPoolable(poolable);
  }

  @Override
  public boolean isPoolable() throws SQLException {
    return delegate.isPoolable();
  }

  @Override
  public void closeOnCompletion() throws SQLException {
    delegate.closeOnCompletion();
  }

  @Override
  public boolean isCloseOnCompletion() throws SQLException {
    return delegate.isCloseOnCompletion();
  }

  @Override
  public long getLargeUpdateCount() throws SQLException {
    return currentResult.largeUpdateCount();
  }

  @Override
  public void setLargeMaxRows(long max) throws SQLException {
    delegate.setLargeMaxRows(max);
  }

  @Override
  public long getLargeMaxRows() throws SQLException {
    return delegate.getLargeMaxRows();
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    currentResult.executing();
    return delegate.executeLargeBatch();
  }

  @Override
  public long executeLargeUpdate(String sql) throws SQLException {
    return delegate.executeLargeUpdate(sql);
  }

  @Override
  public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
    return delegate.executeLargeUpdate(sql, autoGeneratedKeys);
  }

  @Override
  public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
    return delegate.executeLargeUpdate(sql, columnIndexes);
  }

  @Override
  public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
    return delegate.executeLargeUpdate(sql, columnNames);
  }

  @Override
  public String enquoteLiteral(String val) throws SQLException {
    return delegate.enquoteLiteral(val);
  }

  @Override
  public String enquoteIdentifier(String identifier, boolean alwaysQuote) throws SQLException {
    return delegate.enquoteIdentifier(identifier, alwaysQuote);
  }

  @Override
  public boolean isSimpleIdentifier(String identifier) throws SQLException {
    return delegate.isSimpleIdentifier(identifier);
  }

  @Override
  public String enquoteNCharLiteral(String val) throws SQLException {
    return delegate.enquoteNCharLiteral(val);
  }
}
