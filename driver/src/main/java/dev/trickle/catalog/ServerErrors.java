package dev.trickle.catalog;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Reads PostgreSQL's error report out of a PgJDBC exception. */
public final class ServerErrors {
  private ServerErrors() {}

  /** The server's message without PgJDBC's decorations (severity, position, hints). */
  public static String message(SQLException e) {
    ServerErrorMessage server = server(e);
    return server != null && server.getMessage() != null ? server.getMessage() : e.getMessage();
  }

  /** The 1-based character position the server reported in the statement, or 0. */
  public static int position(SQLException e) {
    ServerErrorMessage server = server(e);
    return server == null ? 0 : server.getPosition();
  }

  private static ServerErrorMessage server(SQLException e) {
    return e instanceof PSQLException p ? p.getServerErrorMessage() : null;
  }
}
