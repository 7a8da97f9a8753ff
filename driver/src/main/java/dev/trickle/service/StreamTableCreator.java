package dev.trickle.service;

import dev.trickle.catalog.Dependency;
import dev.trickle.catalog.DependencyCatalog;
import dev.trickle.catalog.RefreshMode;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.ServerNotices;
import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTable;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.catalog.StreamTableSpec;
import dev.trickle.refresh.MaintenanceCompiler;
import dev.trickle.refresh.RefreshAction;
import dev.trickle.refresh.RefreshEngine;
import dev.trickle.rewriter.command.TrickleCommand.CreateStreamTable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Creates stream tables: validates the name, settings and query, creates the storage table,
 * catalog rows and the change capture its mode needs ({@link SourceCapture}), chooses the
 * maintenance, and populates it (unless {@code initialize => false}). Handles the IF NOT EXISTS
 * and OR REPLACE variants.
 */
final class StreamTableCreator {
  private final MaintenanceCompiler compiler;
  private final RefreshEngine engine;
  private final StreamTableAlterer alterer;

  StreamTableCreator(
      MaintenanceCompiler compiler, RefreshEngine engine, StreamTableAlterer alterer) {
    this.compiler = compiler;
    this.engine = engine;
    this.alterer = alterer;
  }

  void create(
      Connection c, CreateStreamTable command, int minScheduleSeconds, String defaultCdcMode)
      throws SQLException {
    StreamTableNames.Target target =
        StreamTableNames.createTarget(c, RelationName.parse(command.name()));
    String display = target.display();
    StreamTableSettings.Create settings =
        StreamTableSettings.Create.of(
            command.options(), display, minScheduleSeconds, defaultCdcMode);
    QueryText query = QueryText.of(command.query(), display);
    Optional<StreamTable> existing = StreamTableCatalog.findByName(c, target.schema(), target.name());
    if (existing.isPresent()) {
      switch (command.mode()) {
        case CREATE -> throw SqlState.DUPLICATE_OBJECT.exception(
            "stream table "
                + display
                + " already exists; use create_or_replace_stream_table to change it, or drop it"
                + " first");
        case IF_NOT_EXISTS -> ServerNotices.notice(
            c, "stream table " + display + " already exists, skipping");
        case OR_REPLACE -> replace(c, existing.get(), query, settings);
      }
      return;
    }
    Optional<Long> other = Relation.oidOf(c, target.schema(), target.name());
    if (other.isPresent()) {
      Relation relation = Relation.find(c, other.get()).orElseThrow();
      throw SqlState.DUPLICATE_OBJECT.exception(
          display
              + " already exists as a "
              + relation.kindName()
              + "; choose another name or drop it");
    }
    createNew(c, target, query, settings);
  }

  private void createNew(
      Connection c,
      StreamTableNames.Target target,
      QueryText query,
      StreamTableSettings.Create settings)
      throws SQLException {
    String display = target.display();
    if (settings.mode() == RefreshMode.IMMEDIATE && !settings.initialize()) {
      throw ImmediateRefusals.unpopulated(display);
    }
    String searchPath = StreamTableAlterer.currentSearchPath(c);
    List<Dependency> sources;
    long relid;
    try (QueryProbe probe = QueryProbe.open(c, query, display)) {
      probe.columns();
      sources = probe.sources();
      relid = StorageTable.create(c, target.schema(), target.name());
    }
    StreamTableSpec spec =
        new StreamTableSpec(
            query.text(),
            searchPath,
            settings.mode(),
            RefreshMode.FULL,
            null,
            settings.schedule().text(),
            settings.diamondConsistency(),
            settings.diamondSchedulePolicy(),
            settings.cdcMode(),
            1,
            List.of());
    long pgtId = StreamTableCatalog.insert(c, target.schema(), target.name(), relid, spec);
    DependencyCatalog.replace(c, pgtId, sources);
    SourceCapture.reconcile(c, sources, display, true);
    SourceCapture.warnWithoutPrimaryKey(c, sources, display);
    SourceCapture.requireWalCapturePossible(c, pgtId, settings.cdcMode(), display);
    MaintenanceSetup.apply(c, compiler, StreamTableCatalog.findById(c, pgtId).orElseThrow());
    if (settings.initialize()) {
      engine.populate(c, pgtId, RefreshAction.FULL, "initial population");
    }
  }

  /** create_or_replace on an existing stream table: no-op, alter settings, or migrate. */
  private void replace(
      Connection c, StreamTable st, QueryText query, StreamTableSettings.Create settings)
      throws SQLException {
    if (StreamTableAlterer.isUnchanged(st, query, settings)) {
      return;
    }
    StreamTableSettings.Alter changes =
        new StreamTableSettings.Alter(
            Optional.of(settings.schedule()),
            Optional.of(settings.mode()),
            Optional.empty(),
            Optional.of(settings.diamondConsistency()),
            Optional.of(settings.diamondSchedulePolicy()),
            Optional.of(settings.cdcMode()));
    alterer.alter(c, st, query, changes, settings.initialize());
  }
}
