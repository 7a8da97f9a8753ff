package dev.trickle.service;

import dev.trickle.catalog.CatalogInstaller;
import dev.trickle.catalog.DriverSettings;
import dev.trickle.catalog.ServerNotices;
import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTable;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.catalog.StreamTableStatus;
import dev.trickle.compile.IvmMaintenanceCompiler;
import dev.trickle.refresh.InitiatedBy;
import dev.trickle.refresh.MaintenanceCompiler;
import dev.trickle.refresh.RefreshEngine;
import dev.trickle.refresh.ServerTransaction;
import dev.trickle.rewriter.command.TrickleCommand;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Runs every stream-table API command on the application's physical connection: installs and
 * removes the catalog, creates, alters, drops, refreshes and resumes stream tables. Each command is
 * atomic: its own transaction outside any transaction, a savepoint inside the caller's (opened with
 * autocommit off or with {@code BEGIN} as text, {@link ServerTransaction}), so the caller's
 * rollback undoes it; refresh manages its transaction itself (see {@link RefreshEngine}). In a
 * failed transaction every command is refused with 25P02. Warnings and notices (AUTO falling
 * back to FULL, a source without primary key, IF NOT EXISTS skipping) are raised by the server and
 * recorded on the connection.
 *
 * <p>The driver builds one service where it starts and hands it the one compiler (a compilation
 * cache) and the one {@link RefreshEngine} it also hands to the scheduler.
 */
public final class StreamTableService implements CommandExecutor {
  private final RefreshEngine engine;
  private final StreamTableCreator creator;
  private final StreamTableAlterer alterer;

  /**
   * A service whose maintenance comes from {@code compiler} and whose refreshes run on {@code
   * engine} (built over the same compiler).
   */
  public StreamTableService(MaintenanceCompiler compiler, RefreshEngine engine) {
    this.engine = engine;
    this.alterer = new StreamTableAlterer(compiler, engine);
    this.creator = new StreamTableCreator(compiler, engine, alterer);
  }

  @Override
  public void execute(Connection c, TrickleCommand command, DriverSettings settings)
      throws SQLException {
    IvmMaintenanceCompiler.withPlanDebugging(
        settings.debugPlan(), () -> run(c, command, settings));
  }

  private void run(Connection c, TrickleCommand command, DriverSettings settings)
      throws SQLException {
    ServerTransaction.requireNotFailed(c);
    boolean own = ServerTransaction.isOwn(c);
    if (command instanceof TrickleCommand.CreateExtension) {
      CommandTransaction.run(c, () -> createExtension(c));
      return;
    }
    if (command instanceof TrickleCommand.DropExtension drop) {
      CommandTransaction.run(c, () -> dropExtension(c, drop));
      return;
    }
    if (command instanceof TrickleCommand.RefreshStreamTable refresh && own) {
      Optional<ManualRefreshStart.Found> found =
          ManualRefreshStart.read(c, refresh.name(), settings);
      if (found.isPresent()) {
        engine.refresh(
            c, found.get().target(), InitiatedBy.MANUAL, found.get().maxConsecutiveErrors());
        return;
      }
    }
    if (!own
        || CatalogInstaller.installedVersion(c) != CatalogInstaller.CURRENT_VERSION) {
      CommandTransaction.run(c, () -> CatalogInstaller.requireCurrent(c));
    }
    if (command instanceof TrickleCommand.CreateStreamTable create) {
      int minSeconds = ServiceSetting.MIN_SCHEDULE_SECONDS.read(c, settings);
      String cdcMode = DefaultCdcMode.read(c, settings);
      CommandTransaction.run(c, () -> creator.create(c, create, minSeconds, cdcMode));
    } else if (command instanceof TrickleCommand.AlterStreamTable alter) {
      int minSeconds = ServiceSetting.MIN_SCHEDULE_SECONDS.read(c, settings);
      CommandTransaction.run(c, () -> alter(c, alter, minSeconds));
    } else if (command instanceof TrickleCommand.DropStreamTable drop) {
      CommandTransaction.run(c, () -> drop(c, drop));
    } else if (command instanceof TrickleCommand.RefreshStreamTable refresh) {
      StreamTable st = StreamTableNames.require(c, refresh.name());
      engine.refresh(
          c,
          st.pgtId(),
          InitiatedBy.MANUAL,
          ServiceSetting.MAX_CONSECUTIVE_ERRORS.read(c, settings));
    } else if (command instanceof TrickleCommand.ResumeStreamTable resume) {
      CommandTransaction.run(
          c,
          () -> {
            StreamTable st = StreamTableNames.require(c, resume.name());
            StreamTableCatalog.setStatus(c, st.pgtId(), StreamTableStatus.ACTIVE, true);
          });
    }
  }

  /** Installs or upgrades the catalog; running it again is a no-op with a notice. */
  private static void createExtension(Connection c) throws SQLException {
    if (CatalogInstaller.install(c) == CatalogInstaller.Outcome.ALREADY_CURRENT) {
      ServerNotices.notice(
          c,
          "extension \"pg_trickle\" already exists (Trickle catalog version "
              + CatalogInstaller.CURRENT_VERSION
              + "), skipping");
    }
  }

  private static void dropExtension(Connection c, TrickleCommand.DropExtension command)
      throws SQLException {
    if (CatalogInstaller.installedVersion(c) == 0) {
      if (!command.ifExists()) {
        throw SqlState.UNDEFINED_OBJECT.exception(
            "extension \"pg_trickle\" does not exist (the Trickle catalog is not installed)");
      }
      ServerNotices.notice(c, "extension \"pg_trickle\" does not exist, skipping");
      return;
    }
    List<StreamTable> all = StreamTableCatalog.all(c);
    if (!all.isEmpty() && !command.cascade()) {
      throw SqlState.DEPENDENT_OBJECTS.exception(
          "cannot drop extension pg_trickle because stream tables exist: "
              + all.stream().map(StreamTable::displayName).collect(Collectors.joining(", "))
              + "; drop them first or use DROP EXTENSION pg_trickle CASCADE");
    }
    for (StreamTable st : all) {
      if (StreamTableCatalog.findById(c, st.pgtId()).isPresent()) {
        StreamTableDropper.drop(c, st, true);
      }
    }
    CatalogInstaller.remove(c);
  }

  private void alter(Connection c, TrickleCommand.AlterStreamTable command, int minSeconds)
      throws SQLException {
    StreamTable st = StreamTableNames.require(c, command.name());
    StreamTableSettings.Alter changes =
        StreamTableSettings.Alter.of(command.options(), st.displayName(), minSeconds);
    QueryText query =
        command.query() == null ? null : QueryText.of(command.query(), st.displayName());
    alterer.alter(c, st, query, changes, true);
  }

  private static void drop(Connection c, TrickleCommand.DropStreamTable command)
      throws SQLException {
    RelationName name = RelationName.parse(command.name());
    Optional<StreamTable> st = StreamTableNames.find(c, name);
    if (st.isPresent()) {
      StreamTableDropper.drop(c, st.get(), command.cascade());
    } else if (command.ifExists()) {
      ServerNotices.notice(
          c, "stream table " + name.display() + " does not exist, skipping");
    } else {
      throw StreamTableNames.notFound(c, name);
    }
  }
}
