package dev.trickle.refresh;

import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A savepoint set with SQL text inside the caller's transaction. JDBC's {@code
 * Connection.setSavepoint} refuses to work in autocommit, yet a connection in autocommit is inside
 * a transaction once the application sent {@code BEGIN} as text ({@link ServerTransaction}); the
 * statements {@code SAVEPOINT}, {@code ROLLBACK TO SAVEPOINT} and {@code RELEASE SAVEPOINT} work in
 * either case. Savepoints of one name nest: each statement acts on the most recent one, so a
 * command's savepoint and the refresh's inside it never mix.
 */
public final class NamedSavepoint {
  private final Connection connection;
  private final String name;

  private NamedSavepoint(Connection connection, String name) {
    this.connection = connection;
    this.name = name;
  }

  /** Sets savepoint {@code name} on {@code c} (opening a transaction when autocommit is off). */
  public static NamedSavepoint set(Connection c, String name) throws SQLException {
    NamedSavepoint savepoint = new NamedSavepoint(c, Sql.identifier(name));
    savepoint.run("SAVEPOINT ");
    return savepoint;
  }

  /** Keeps what was done since the savepoint, in the caller's transaction. */
  public void release() throws SQLException {
    run("RELEASE SAVEPOINT ");
  }

  /** Undoes what was done since the savepoint, and releases it. */
  public void rollback() throws SQLException {
    run("ROLLBACK TO SAVEPOINT ");
    release();
  }

  /**
   * Like {@link #rollback()}, for a caller handling {@code cause}: a failure to roll back is added
   * to it rather than thrown.
   */
  public void rollbackAfter(Throwable cause) {
    try {
      rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private void run(String statement) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute(statement + name);
    }
  }
}
