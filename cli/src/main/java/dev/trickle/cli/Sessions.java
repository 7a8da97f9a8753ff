package dev.trickle.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.sql.SQLException;

/**
 * Runs a subcommand's work on a session opened from its {@link ConnectionOptions} and turns the
 * failures of opening, using or closing it into an {@code ERROR:} message and exit status 1, so
 * that every subcommand reports them alike.
 */
final class Sessions {
  /** The work a subcommand does on an open session; returns the exit status. */
  @FunctionalInterface
  interface Work {
    int run(DatabaseSession session) throws SQLException, IOException;
  }

  private Sessions() {}

  /** Opens a session, runs {@code work} on it, closes it; returns the exit status. */
  static int run(ConnectionOptions options, PrintWriter err, Work work) {
    try (DatabaseSession session = options.open(err)) {
      return work.run(session);
    } catch (SQLException e) {
      ServerMessages.error(e).forEach(err::println);
    } catch (IOException | IllegalArgumentException e) {
      err.println("ERROR: " + e.getMessage());
    }
    err.flush();
    return 1;
  }
}
