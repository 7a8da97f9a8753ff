package dev.trickle.jdbc;

import dev.trickle.catalog.DriverSettings;
import dev.trickle.refresh.RefreshEngine;
import dev.trickle.rewriter.command.TrickleCommand;
import dev.trickle.scheduler.SchedulerTarget;
import dev.trickle.service.CommandExecutor;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs stream-table commands, then makes sure the database's scheduler runs: a connection opened
 * before {@code CREATE EXTENSION pg_trickle} (a pooled one, a migration tool's) starts it as soon
 * as the catalog exists. Once the scheduler runs, the check is a map lookup.
 */
final class SchedulerStartingExecutor implements CommandExecutor {
  private final CommandExecutor delegate;
  private final SchedulerTarget target;
  private final RefreshEngine engine;

  SchedulerStartingExecutor(
      CommandExecutor delegate, SchedulerTarget target, RefreshEngine engine) {
    this.delegate = delegate;
    this.target = target;
    this.engine = engine;
  }

  @Override
  public void execute(Connection connection, TrickleCommand command, DriverSettings settings)
      throws SQLException {
    delegate.execute(connection, command, settings);
    if (!(command instanceof TrickleCommand.DropExtension)) {
      TrickleDriver.startSchedulerQuietly(target, engine, connection);
    }
  }
}
