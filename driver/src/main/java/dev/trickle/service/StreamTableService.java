package dev.trickle.service;

import dev.trickle.rewriter.command.TrickleCommand;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The stream-table lifecycle behind the driver. Placeholder until the service lands: every command
 * is refused as unsupported.
 */
public final class StreamTableService implements CommandExecutor {
  @Override
  public void execute(Connection connection, TrickleCommand command, Properties settings)
      throws SQLException {
    throw new SQLException("stream-table commands are not available yet", "0A000");
  }
}
