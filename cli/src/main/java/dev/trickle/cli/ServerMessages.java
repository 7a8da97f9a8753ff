package dev.trickle.cli;

import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLWarning;
import org.postgresql.util.ServerErrorMessage;

/**
 * Renders errors and notices the way psql shows them: {@code ERROR: message} followed by the
 * server's {@code DETAIL:} and {@code HINT:} lines, and {@code WARNING: message} (or {@code
 * NOTICE:}, {@code INFO:} ... as the server labelled it) for each warning.
 */
final class ServerMessages {
  private ServerMessages() {}

  /** The lines describing {@code error}, first the message, then detail and hint if any. */
  static List<String> error(SQLException error) {
    List<String> lines = new ArrayList<>();
    ServerErrorMessage server =
        error instanceof PSQLException ? ((PSQLException) error).getServerErrorMessage() : null;
    if (server == null) {
      lines.add("ERROR: " + (error.getMessage() == null ? error.toString() : error.getMessage()));
      return lines;
    }
    lines.add("ERROR: " + server.getMessage());
    addIfPresent(lines, "DETAIL:  ", server.getDetail());
    addIfPresent(lines, "HINT:  ", server.getHint());
    return lines;
  }

  /** The lines of every warning in the chain starting at {@code first} (none if null). */
  static List<String> warnings(SQLWarning first) {
    List<String> lines = new ArrayList<>();
    for (SQLWarning w = first; w != null; w = w.getNextWarning()) {
      ServerErrorMessage server =
          w instanceof PSQLWarning ? ((PSQLWarning) w).getServerErrorMessage() : null;
      if (server == null) {
        lines.add("WARNING:  " + w.getMessage());
      } else {
        lines.add(server.getSeverity() + ":  " + server.getMessage());
        addIfPresent(lines, "DETAIL:  ", server.getDetail());
        addIfPresent(lines, "HINT:  ", server.getHint());
      }
    }
    return lines;
  }

  private static void addIfPresent(List<String> lines, String label, String text) {
    if (text != null && !text.isEmpty()) {
      lines.add(label + text);
    }
  }
}
