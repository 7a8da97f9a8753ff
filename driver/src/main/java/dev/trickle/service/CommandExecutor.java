package dev.trickle.service;

import dev.trickle.catalog.DriverSettings;
import dev.trickle.rewriter.command.TrickleCommand;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs one recognized stream-table API command on the application's physical PgJDBC connection,
 * inside the caller's transaction when one is open (autocommit off), or in its own transaction
 * otherwise. On failure nothing the command did is left behind.
 */
public interface CommandExecutor {
  /**
   * Runs {@code command}.
   *
   * @param connection the physical PgJDBC connection (never a Trickle wrapper)
   * @param command the recognized command
   * @param settings the connection's {@code trickle.*} settings
   * @throws SQLException with a SQLState from the project's vocabulary and a message naming the
   *     object and the fix
   */
  void execute(Connection connection, TrickleCommand command, DriverSettings settings)
      throws SQLException;
}
