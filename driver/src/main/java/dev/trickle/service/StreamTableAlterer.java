package dev.trickle.service;

import dev.trickle.capture.ChangeCapture;
import dev.trickle.catalog.Column;
import dev.trickle.catalog.Dependency;
import dev.trickle.catalog.DependencyCatalog;
import dev.trickle.catalog.RefreshMode;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTable;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.catalog.StreamTableSpec;
import dev.trickle.catalog.StreamTableStatus;
import dev.trickle.refresh.MaintenanceCompiler;
import dev.trickle.refresh.RefreshAction;
import dev.trickle.refresh.RefreshEngine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;

/**
 * Changes a stream table: settings only (catalog update), refresh mode (maintenance torn down and
 * set up again, repopulated when it becomes differential or IMMEDIATE, so that changes waiting in
 * the buffers are in it and a deferred mode starts from a frontier taken under the same locks), or
 * query (storage migrated in place, sources updated, cycles refused, dependents checked,
 * repopulated). A changed query or mode brings the capture of the sources in line ({@link
 * SourceCapture}): switching to IMMEDIATE removes the capture no other reader needs, switching
 * away installs it before the repopulation takes the frontier. Every alter bumps
 * the definition version.
 */
final class StreamTableAlterer {
  private final MaintenanceCompiler compiler;
  private final RefreshEngine engine;

  StreamTableAlterer(MaintenanceCompiler compiler, RefreshEngine engine) {
    this.compiler = compiler;
    this.engine = engine;
  }

  /**
   * Alters {@code st}.
   *
   * @param query the new defining query, or null to keep it; the same text as before counts as a
   *     change when the stream table is in ERROR (a source it reads may have been dropped and
   *     created again, which only resolving the query again follows)
   * @param changes the settings to change
   * @param initialize whether to repopulate after a query change (false leaves it unpopulated)
   */
  void alter(
      Connection c,
      StreamTable st,
      QueryText query,
      StreamTableSettings.Alter changes,
      boolean initialize)
      throws SQLException {
    StreamTableSpec old = st.spec();
    RefreshMode mode = changes.mode().orElse(old.requestedMode());
    boolean queryChanged =
        query != null
            && (!query.text().equals(old.query())
                || st.state().status() == StreamTableStatus.ERROR);
    boolean modeChanged = mode != old.requestedMode();
    if (mode == RefreshMode.IMMEDIATE && queryChanged && !initialize) {
      throw ImmediateRefusals.unpopulated(st.displayName());
    }
    String searchPath = queryChanged ? currentSearchPath(c) : old.searchPath();
    StreamTableSpec spec =
        new StreamTableSpec(
            queryChanged ? query.text() : old.query(),
            searchPath,
            mode,
            old.effectiveMode(),
            old.modeReason(),
            changes.schedule().isPresent() ? changes.schedule().get().text() : old.schedule(),
            changes.diamondConsistency().orElse(old.diamondConsistency()),
            changes.diamondSchedulePolicy().orElse(old.diamondSchedulePolicy()),
            changes.cdcMode().orElse(old.cdcMode()),
            old.version() + 1,
            old.teardownSql());
    List<Dependency> former = DependencyCatalog.of(c, st.pgtId());
    if (queryChanged) {
      replaceQuery(c, st, query);
    }
    if (queryChanged || modeChanged) {
      MaintenanceSetup.tearDown(c, st);
      if (queryChanged) {
        StorageIndexes.dropUnique(c, st.relid());
        StorageIndexes.empty(c, st);
      }
      StreamTableCatalog.updateSpec(
          c, st.pgtId(), spec.withMaintenance(RefreshMode.FULL, null, List.of()));
      // The catalog holds the new sources and mode now: capture follows them (IMMEDIATE needs
      // none), before the population below takes its frontier.
      List<Dependency> sources = DependencyCatalog.of(c, st.pgtId());
      SourceCapture.reconcile(c, sources, st.displayName(), queryChanged);
      SourceCapture.removeUnneeded(c, former);
      if (queryChanged) {
        SourceCapture.warnWithoutPrimaryKey(c, sources, st.displayName());
      }
      StreamTableSpec applied =
          MaintenanceSetup.apply(c, compiler, StreamTableCatalog.findById(c, st.pgtId()).orElseThrow());
      if (queryChanged && !initialize) {
        StreamTableCatalog.markUnpopulated(c, st.pgtId());
      } else if (queryChanged) {
        engine.populate(c, st.pgtId(), RefreshAction.REINITIALIZE, "query changed");
      } else if (applied.effectiveMode() == RefreshMode.IMMEDIATE) {
        // Its triggers exist now and block writers until commit: recomputing brings in every
        // change that waited in the buffers, and the triggers maintain from there.
        engine.populate(c, st.pgtId(), RefreshAction.REINITIALIZE, "refresh mode changed");
      } else if (applied.effectiveMode() == RefreshMode.DIFFERENTIAL && st.state().populated()) {
        engine.populate(c, st.pgtId(), RefreshAction.REINITIALIZE, "refresh mode changed");
      }
    } else {
      StreamTableCatalog.updateSpec(c, st.pgtId(), spec);
    }
    SourceCapture.requireWalCapturePossible(c, st.pgtId(), spec.cdcMode(), st.displayName());
    if (changes.status().isPresent()) {
      StreamTableStatus status = changes.status().get();
      StreamTableCatalog.setStatus(c, st.pgtId(), status, status == StreamTableStatus.ACTIVE);
    }
  }

  /** True when a create-or-replace with these settings and query would change nothing. */
  static boolean isUnchanged(StreamTable st, QueryText query, StreamTableSettings.Create settings) {
    StreamTableSpec spec = st.spec();
    return query.text().equals(spec.query())
        && Objects.equals(settings.schedule().text(), spec.schedule())
        && settings.mode() == spec.requestedMode()
        && settings.diamondConsistency().equals(spec.diamondConsistency())
        && settings.diamondSchedulePolicy().equals(spec.diamondSchedulePolicy())
        && settings.cdcMode().equals(spec.cdcMode());
  }

  private void replaceQuery(Connection c, StreamTable st, QueryText query) throws SQLException {
    Relation storage =
        Relation.find(c, st.relid())
            .orElseThrow(
                () ->
                    SqlState.UNDEFINED_OBJECT.exception(
                        "the storage table of stream table "
                            + st.displayName()
                            + " no longer exists (dropped directly?); drop the stream table and"
                            + " create it again"));
    List<Dependency> sources;
    try (QueryProbe probe = QueryProbe.open(c, query, st.displayName())) {
      List<Column> columns = probe.columns();
      sources = probe.sources();
      DependencyGraph.requireAcyclic(c, st, sources);
      StorageTable.migrate(c, storage, columns, st.displayName());
    }
    requireDependentsStillValid(c, st);
    if (ChangeCapture.isInstalled(c, st.relid())) {
      ChangeCapture.ensure(c, Relation.find(c, st.relid()).orElseThrow());
    }
    DependencyCatalog.replace(c, st.pgtId(), sources);
  }

  /** Probes the query of every stream table reading {@code st}, now that its columns changed. */
  private static void requireDependentsStillValid(Connection c, StreamTable st)
      throws SQLException {
    for (StreamTable reader : DependencyCatalog.readersOf(c, st.relid())) {
      String previous = currentSearchPath(c);
      setSearchPath(c, reader.spec().searchPath());
      try (QueryProbe probe =
          QueryProbe.open(c, new QueryText(reader.spec().query()), reader.displayName())) {
        probe.columns();
      } catch (SQLException e) {
        throw new SQLException(
            "cannot change the query of stream table "
                + st.displayName()
                + ": stream table "
                + reader.displayName()
                + " reads it and would break ("
                + e.getMessage()
                + "); change or drop "
                + reader.displayName()
                + " first",
            e.getSQLState(),
            e);
      }
      setSearchPath(c, previous);
    }
  }

  /** The connection's current search_path: new and changed queries are resolved with it. */
  static String currentSearchPath(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT current_setting('search_path')");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void setSearchPath(Connection c, String path) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT set_config('search_path', ?, true)")) {
      ps.setString(1, path);
      ps.execute();
    }
  }
}
