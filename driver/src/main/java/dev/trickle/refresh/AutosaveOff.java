package dev.trickle.refresh;

import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.jdbc.AutoSave;

/**
 * Turns PgJDBC's {@code autosave} off for a transaction Trickle opens itself, and back on when it
 * ends. With {@code autosave} on, PgJDBC wraps every statement of a transaction in a savepoint,
 * and PostgreSQL refuses {@code SET TRANSACTION ISOLATION LEVEL} in a subtransaction; Trickle's own
 * transactions roll back as a whole and need no savepoints.
 */
public final class AutosaveOff implements AutoCloseable {
  private final PGConnection connection;
  private final AutoSave previous;

  private AutosaveOff(PGConnection connection, AutoSave previous) {
    this.connection = connection;
    this.previous = previous;
  }

  /** Turns autosave off on {@code c} until {@link #close()}; a no-op when it is off already. */
  public static AutosaveOff on(Connection c) throws SQLException {
    if (!c.isWrapperFor(PGConnection.class)) {
      return new AutosaveOff(null, null);
    }
    PGConnection pg = c.unwrap(PGConnection.class);
    AutoSave previous = pg.getAutosave();
    if (previous == AutoSave.NEVER) {
      return new AutosaveOff(null, null);
    }
    pg.setAutosave(AutoSave.NEVER);
    return new AutosaveOff(pg, previous);
  }

  @Override
  public void close() {
    if (connection != null) {
      connection.setAutosave(previous);
    }
  }
}
