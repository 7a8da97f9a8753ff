package dev.trickle.jdbc;

import java.io.InputStream;
import java.io.Reader;
import java.lang.reflect.Method;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.util.Set;

/**
 * The interceptor of a prepared statement of a {@link TrickleConnection}, and of a callable one:
 * a callable statement is this wrapper over the {@link CallableStatement} interface, its own
 * methods (out parameters, named parameters) PgJDBC's, as PgJDBC's callable statement extends its
 * prepared one. When the text is a stream-table command (see {@link StatementRouter}), the delegate
 * holds a statement of the command's result shape (for the statement's metadata and parameter
 * metadata), the values bound by index are recorded as text as PgJDBC accepts them, and each
 * execution runs the command with them and makes its result on the client ({@link
 * CommandResult}), which answers the result methods until the next execution; a callable one then
 * executes its delegate instead, because PgJDBC reads OUT parameters from the executed result. Any
 * other text runs on PgJDBC untouched.
 */
final class TricklePreparedStatement extends StatementBase implements Delegation.Observer {
  /** Setters whose value Trickle cannot read as the text of a command's argument. */
  private static final Set<Class<?>> UNREADABLE =
      Set.of(
          InputStream.class,
          Reader.class,
          Blob.class,
          Clob.class,
          NClob.class,
          Array.class,
          Ref.class,
          RowId.class,
          SQLXML.class,
          byte[].class);

  private final PreparedStatement delegate;
  private final StatementRouter router;
  private final PreparedCommand command;
  private final BoundParameters parameters;
  /** Whether a command's result is the delegate's, executed after it (a callable statement). */
  private final boolean resultFromDelegate;

  private TricklePreparedStatement(
      TrickleConnection connection,
      PreparedStatement delegate,
      StatementRouter router,
      PreparedCommand command) {
    super(connection, delegate);
    this.delegate = delegate;
    this.router = router;
    this.command = command;
    this.parameters = command == null ? null : new BoundParameters(command.placeholders());
    this.resultFromDelegate = delegate instanceof CallableStatement;
  }

  /**
   * The wrapper of {@code delegate}, prepared with {@link StatementRouter#preparedSql}.
   *
   * @param command the stream-table command, or null when the statement passes through
   */
  static PreparedStatement wrap(
      TrickleConnection connection,
      PreparedStatement delegate,
      StatementRouter router,
      PreparedCommand command) {
    return new TricklePreparedStatement(connection, delegate, router, command)
        .wrapStatement(PreparedStatement.class, delegate);
  }

  /** The wrapper of a callable {@code delegate}: this wrapper over {@link CallableStatement}. */
  static CallableStatement wrapCall(
      TrickleConnection connection,
      CallableStatement delegate,
      StatementRouter router,
      PreparedCommand command) {
    return new TricklePreparedStatement(connection, delegate, router, command)
        .wrapStatement(CallableStatement.class, delegate);
  }

  public ResultSet executeQuery() throws SQLException {
    currentResult().executing();
    if (madeOnClient()) {
      return wrapped(runCommand().forQuery());
    }
    return wrapped(delegate.executeQuery());
  }

  public int executeUpdate() throws SQLException {
    currentResult().executing();
    if (madeOnClient()) {
      return (int) runCommand().forUpdate();
    }
    return delegate.executeUpdate();
  }

  public boolean execute() throws SQLException {
    currentResult().executing();
    if (madeOnClient()) {
      return runCommand().isQuery();
    }
    return delegate.execute();
  }

  public long executeLargeUpdate() throws SQLException {
    currentResult().executing();
    if (madeOnClient()) {
      return runCommand().forUpdate();
    }
    return delegate.executeLargeUpdate();
  }

  /**
   * Whether this execution's result is a command's made on the client; false for a callable
   * statement's command, which runs here and leaves the result to the delegate.
   */
  private boolean madeOnClient() throws SQLException {
    if (command == null) {
      return false;
    }
    if (resultFromDelegate) {
      router.execute(delegate, command, parameters, executed -> executed);
      return false;
    }
    return true;
  }

  /** Runs the command with the bound values and makes its result the current one. */
  private CommandResult runCommand() throws SQLException {
    return router.execute(delegate, command, parameters, currentResult()::ofCommand);
  }

  public void addBatch() throws SQLException {
    if (command != null) {
      throw StatementRouter.batchRefusal(command.statement());
    }
    delegate.addBatch();
  }

  public void clearParameters() throws SQLException {
    delegate.clearParameters();
    if (parameters != null) {
      parameters.clear();
    }
  }

  /** The setters of {@link PreparedStatement} that bind a value by index. */
  @Override
  public boolean observes(Method method) {
    return method.getDeclaringClass() == PreparedStatement.class
        && method.getName().startsWith("set")
        && method.getParameterCount() >= 2
        && method.getParameterTypes()[0] == int.class;
  }

  /**
   * Records the value a setter bound, once PgJDBC accepted it: {@code setNull} as SQL NULL, a
   * primitive as its text, a stream, large object, array, reference, row id, XML or bytes as a
   * value a command cannot take, anything else as {@link BoundParameters#setObject} reads it.
   */
  @Override
  public Object delegated(Method setter, Object[] arguments, Object result) {
    if (parameters == null) {
      return result;
    }
    int index = (Integer) arguments[0];
    Class<?> type = setter.getParameterTypes()[1];
    if (setter.getName().equals("setNull")) {
      parameters.setText(index, null);
    } else if (type.isPrimitive()) {
      parameters.setText(index, String.valueOf(arguments[1]));
    } else if (UNREADABLE.contains(type)) {
      parameters.setUnreadable(index, setter.getName());
    } else {
      parameters.setObject(index, arguments[1]);
    }
    return result;
  }
}
