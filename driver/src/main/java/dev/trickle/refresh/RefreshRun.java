package dev.trickle.refresh;

import dev.trickle.catalog.AdvisoryLocks;
import dev.trickle.catalog.Dependency;
import dev.trickle.catalog.DependencyCatalog;
import dev.trickle.catalog.RefreshMode;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.StreamTable;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.catalog.StreamTableStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One refresh attempt, inside a transaction (or savepoint) the {@link RefreshEngine} opened: take
 * the refresh locks, check the sources, take the frontier snapshot, choose the
 * strategy, apply it with maintenance enabled, store frontiers, record success and history. The
 * fields say how far it got, for the failure record.
 */
final class RefreshRun {
  private final MaintenanceCompiler compiler;
  private StreamTable st;
  private final InitiatedBy initiatedBy;
  private final boolean skipIfBusy;
  private OffsetDateTime start;
  private RefreshAction action = RefreshAction.FULL;
  private String reason;

  RefreshRun(MaintenanceCompiler compiler, StreamTable st, InitiatedBy initiatedBy) {
    this(compiler, st, initiatedBy, false);
  }

  /**
   * A run that, with {@code skipIfBusy}, refuses ({@link RefreshFailures#busy}) instead of waiting
   * when another transaction holds the storage lock (a refresh of the same stream table).
   */
  RefreshRun(
      MaintenanceCompiler compiler, StreamTable st, InitiatedBy initiatedBy, boolean skipIfBusy) {
    this.compiler = compiler;
    this.st = st;
    this.initiatedBy = initiatedBy;
    this.skipIfBusy = skipIfBusy;
  }

  /**
   * Runs the refresh.
   *
   * @param storage the storage table, to lock first: {@code SHARE UPDATE EXCLUSIVE} conflicts with
   *     itself (so refreshes of one stream table queue up) but not with readers or writers, and
   *     {@code LOCK TABLE} takes no snapshot, so a REPEATABLE READ refresh gets its snapshot only
   *     after the previous refresh committed; then the advisory refresh lock (see {@link
   *     AdvisoryLocks}), which the scheduler uses too
   * @param forced the action to take regardless of changes ({@code FULL} or {@code
   *     REINITIALIZE}), or null to decide from the changes
   * @param forcedReason why it is forced
   * @param lockSources lock the captured sources in SHARE mode before taking the snapshot: in READ
   *     COMMITTED every statement has its own snapshot, and blocking writers keeps the sources and
   *     buffers identical for all of them, so they match the one frontier
   * @param ownTransaction the engine opened the transaction for this refresh alone (so the
   *     session's work tables start empty)
   */
  RefreshOutcome run(
      Connection c,
      Relation storage,
      RefreshAction forced,
      String forcedReason,
      boolean lockSources,
      boolean ownTransaction)
      throws SQLException {
    if (forced != null) {
      action = forced;
      reason = forcedReason;
    }
    lockStorage(c, storage);
    AdvisoryLocks.lockRefresh(c, storage.relid());
    st = lockCatalogRow(c);
    if (forced == null && st.state().status() == StreamTableStatus.SUSPENDED) {
      throw RefreshFailures.suspended(st);
    }
    List<Relation> captured = new ArrayList<>();
    boolean allCaptured = true;
    for (Dependency d : DependencyCatalog.of(c, st.pgtId())) {
      Optional<Relation> source = Relation.find(c, d.sourceRelid());
      if (source.isEmpty()) {
        throw RefreshFailures.sourceMissing(st, d);
      }
      if (d.kind().captured()) {
        captured.add(source.get());
      } else if (d.kind().uncapturable()) {
        allCaptured = false;
      }
    }
    if (lockSources && !captured.isEmpty()) {
      try (Statement s = c.createStatement()) {
        s.execute(
            "LOCK TABLE "
                + captured.stream().map(Relation::qualifiedName).collect(Collectors.joining(", "))
                + " IN SHARE MODE");
      }
    }
    Frontiers.Snapshot snapshot = Frontiers.take(c);
    start = snapshot.takenAt();
    Map<Long, Frontiers.Consumed> old = Frontiers.read(c, st.pgtId());
    List<Long> sourceIds = captured.stream().map(Relation::relid).toList();
    StreamTableDefinition definition = StreamTableDefinition.load(c, st);
    RefreshMode mode = st.spec().effectiveMode();
    Compilation compilation =
        mode == RefreshMode.DIFFERENTIAL || mode == RefreshMode.IMMEDIATE
            ? compiler.compile(c, definition)
            : null;
    String searchPath = enterMaintenance(c);
    RefreshOutcome outcome;
    if (forced != null) {
      outcome = full(c, storage, compilation);
    } else if (!st.state().populated()) {
      outcome = full(c, storage, compilation, "not populated");
    } else if (!sourceIds.stream().allMatch(id -> old.get(id) != null)) {
      outcome = full(c, storage, compilation, "no frontier recorded for a source");
    } else if (mode == RefreshMode.IMMEDIATE) {
      // Its triggers keep it current inside every writing transaction; consuming the buffered
      // changes again would apply them twice. Only the frontier advances.
      outcome = noData();
    } else if (compilation == null) {
      if (allCaptured && !DeltaTables.anyPending(c, sourceIds, old, snapshot.frontier())) {
        outcome = noData();
      } else {
        outcome =
            full(
                c,
                storage,
                null,
                allCaptured
                    ? "refresh mode FULL"
                    : "refresh mode FULL; changes of a source cannot be captured");
      }
    } else if (compilation instanceof Compilation.FullOnly fullOnly) {
      outcome =
          full(c, storage, null, "differential maintenance not possible: " + fullOnly.describe());
    } else {
      outcome =
          differential(
              c,
              storage,
              (Compilation.Differential) compilation,
              definition,
              old,
              snapshot,
              SessionTempTables.load(c, ownTransaction));
    }
    leaveMaintenance(c, searchPath);
    Frontiers.store(c, st.pgtId(), sourceIds, snapshot.frontier());
    StreamTableCatalog.recordSuccess(c, st.pgtId(), snapshot.takenAt());
    RefreshHistory.completed(c, st.pgtId(), start, outcome, initiatedBy);
    return outcome;
  }

  /**
   * Re-reads the catalog row under a row lock: every refresh updates that row, so in a REPEATABLE
   * READ transaction whose snapshot is older than the last refresh the lock fails (40001), and the
   * refresh is refused instead of moving the frontier backwards.
   */
  private StreamTable lockCatalogRow(Connection c) throws SQLException {
    try {
      return StreamTableCatalog.lockById(c, st.pgtId())
          .orElseThrow(() -> RefreshFailures.dropped(st));
    } catch (SQLException e) {
      if ("40001".equals(e.getSQLState())) {
        throw RefreshFailures.staleSnapshot(st);
      }
      throw e;
    }
  }

  OffsetDateTime start() {
    return start;
  }

  RefreshAction action() {
    return action;
  }

  String reason() {
    return reason;
  }

  private RefreshOutcome differential(
      Connection c,
      Relation storage,
      Compilation.Differential compilation,
      StreamTableDefinition definition,
      Map<Long, Frontiers.Consumed> old,
      Frontiers.Snapshot snapshot,
      SessionTempTables temps)
      throws SQLException {
    List<StreamTableDefinition.Source> sources = definition.capturedSources();
    if (!DeltaTables.anyPending(
        c, sources.stream().map(StreamTableDefinition.Source::relid).toList(), old, snapshot.frontier())) {
      return noData();
    }
    List<SourceChanges> changes =
        DeltaTables.materialize(c, sources, old, snapshot.frontier(), temps);
    RefreshOutcome outcome;
    if (changes.stream().anyMatch(SourceChanges::truncated)) {
      outcome = full(c, storage, compilation, "source truncated");
    } else if (changes.stream().allMatch(ch -> ch.rows() == 0)) {
      outcome = noData();
    } else {
      String mostlyChanged = ChangeVolume.mostlyChanged(c, changes);
      if (mostlyChanged != null) {
        outcome = full(c, storage, compilation, mostlyChanged);
      } else {
        action = RefreshAction.DIFFERENTIAL;
        reason = null;
        Set<Long> changed = new HashSet<>();
        changes.stream().filter(ch -> ch.rows() > 0).forEach(ch -> changed.add(ch.sourceRelid()));
        outcome = new RefreshOutcome(action, compilation.program().run(c, changed, temps), null);
      }
    }
    temps.remember(c);
    return outcome;
  }

  private RefreshOutcome noData() {
    action = RefreshAction.NO_DATA;
    reason = null;
    return new RefreshOutcome(action, RefreshCounts.NONE, null);
  }

  private RefreshOutcome full(Connection c, Relation storage, Compilation compilation, String why)
      throws SQLException {
    action = RefreshAction.FULL;
    reason = why;
    return full(c, storage, compilation);
  }

  /** Recomputes with the current {@link #action} and {@link #reason}. */
  private RefreshOutcome full(Connection c, Relation storage, Compilation compilation)
      throws SQLException {
    RefreshCounts counts = FullRefresh.apply(c, st, storage);
    if (compilation instanceof Compilation.Differential differential) {
      run(c, differential.populateStatements());
    }
    return new RefreshOutcome(action, counts, reason);
  }

  /** Sets the stream table's search_path and enables writes to storage; returns the old path. */
  private String enterMaintenance(Connection c) throws SQLException {
    String previous;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_setting('search_path')")) {
      rs.next();
      previous = rs.getString(1);
    }
    setMaintenance(c, "on", st.spec().searchPath());
    return previous;
  }

  /** Guards the storage again for the rest of the caller's transaction. */
  private static void leaveMaintenance(Connection c, String searchPath) throws SQLException {
    setMaintenance(c, "off", searchPath);
  }

  private static void setMaintenance(Connection c, String mode, String searchPath)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT set_config('pgtrickle.maintenance', ?, true),"
                + " set_config('search_path', ?, true)")) {
      ps.setString(1, mode);
      ps.setString(2, searchPath);
      ps.execute();
    }
  }

  private static void run(Connection c, List<String> statements) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.setEscapeProcessing(false);
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  private void lockStorage(Connection c, Relation storage) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "LOCK TABLE "
              + storage.qualifiedName()
              + " IN SHARE UPDATE EXCLUSIVE MODE"
              + (skipIfBusy ? " NOWAIT" : ""));
    } catch (SQLException e) {
      if (skipIfBusy && RefreshFailures.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
        throw RefreshFailures.busy(st);
      }
      throw e;
    }
  }
}
