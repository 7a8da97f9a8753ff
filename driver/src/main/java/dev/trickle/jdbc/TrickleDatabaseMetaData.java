package dev.trickle.jdbc;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The interceptor of a {@link TrickleConnection}'s metadata: PgJDBC's answers, except that {@link
 * #getConnection()} and the metadata result sets (their {@code getStatement()}) lead back to the
 * wrappers.
 */
final class TrickleDatabaseMetaData extends Interceptor implements Delegation.Observer {
  private final TrickleConnection connection;

  private TrickleDatabaseMetaData(TrickleConnection connection, DatabaseMetaData delegate) {
    super(delegate);
    this.connection = connection;
  }

  /** The wrapper of {@code connection}'s metadata. */
  static DatabaseMetaData wrap(TrickleConnection connection, DatabaseMetaData delegate) {
    return new TrickleDatabaseMetaData(connection, delegate)
        .wrapAs(DatabaseMetaData.class, delegate);
  }

  public Connection getConnection() {
    return connection;
  }

  /** The methods answering with a result set. */
  @Override
  public boolean observes(Method method) {
    return method.getReturnType() == ResultSet.class;
  }

  /** Wraps a metadata result set so that its statement is a wrapper too. */
  @Override
  public Object delegated(Method method, Object[] arguments, Object result) throws SQLException {
    ResultSet resultSet = (ResultSet) result;
    return resultSet == null
        ? null
        : TrickleResultSet.wrap(connection.wrap(resultSet.getStatement()), resultSet);
  }
}
