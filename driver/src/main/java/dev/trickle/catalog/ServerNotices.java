package dev.trickle.catalog;

import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import org.postgresql.jdbc.PgConnection;

/**
 * Sends a WARNING or NOTICE to the client the way PostgreSQL's own commands do: the server raises
 * it (so it also reaches the server log under the usual settings), and the resulting {@link
 * SQLWarning} is added to the physical connection, where {@link Connection#getWarnings()} (and the
 * driver's wrappers, which delegate) find it. Without that move it would be attached to an
 * internal statement and lost when that statement closes.
 */
public final class ServerNotices {
  private ServerNotices() {}

  /** Raises a WARNING (SQLState 01000). */
  public static void warning(Connection c, String message) throws SQLException {
    raise(c, "WARNING", message);
  }

  /** Raises a NOTICE (SQLState 00000). */
  public static void notice(Connection c, String message) throws SQLException {
    raise(c, "NOTICE", message);
  }

  private static void raise(Connection c, String level, String message) throws SQLException {
    String body = "BEGIN RAISE " + level + " USING MESSAGE = " + Sql.literal(message) + "; END";
    try (Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      st.execute("DO " + Sql.dollarQuoted(body));
      SQLWarning warning = st.getWarnings();
      if (warning != null && c.isWrapperFor(PgConnection.class)) {
        c.unwrap(PgConnection.class).addWarning(warning);
      }
    }
  }
}
