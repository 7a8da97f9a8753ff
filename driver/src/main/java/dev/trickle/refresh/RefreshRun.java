package dev.trickle.refresh;

import dev.trickle.catalog.RefreshCosts;
import dev.trickle.catalog.RefreshMode;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.StreamTable;
import dev.trickle.catalog.StreamTableStatus;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * One refresh attempt, inside a transaction (or savepoint) the {@link RefreshEngine} opened:
 *
 * <ol>
 *   <li><b>read</b> what it decides from, under its locks ({@link Prologue});
 *   <li><b>decide</b> ({@link RefreshDecision}, a pure function), reading more when the decision
 *       asks for it: the delta fill, whether a FULL stream table's sources changed, the volume;
 *   <li><b>act</b>: recompute ({@link FullRefresh}), apply the deltas ({@link
 *       DifferentialProgram}) or nothing, every statement that evaluates the query sent through
 *       the owner's executor ({@link OwnerExecutor}), one call per batch;
 *   <li><b>close</b>: store the frontiers, record success, what the refresh cost ({@link
 *       LearnedCost}) and history (and, in a transaction of its own, commit and clean up the
 *       consumed buffer rows) in one round trip.
 * </ol>
 *
 * {@link #progress} says how far it got, for the failure record.
 */
final class RefreshRun {
  private final MaintenanceCompiler compiler;
  private final CleanupPacing cleanupPacing;
  private final SessionTempTables.Memory workTables;
  private final StreamTable st;
  private final InitiatedBy initiatedBy;
  private final Prologue.WhenBusy whenBusy;
  private Progress progress = Progress.NOT_STARTED;
  /** What the cleanup after the commit found; empty when none ran. */
  private Optional<Frontiers.Cleanup> cleanup = Optional.empty();
  /** Whether the run found a source captured from the WAL. */
  private boolean walCaptured;

  /** How a run's transaction begins and ends. */
  enum Transaction {
    /**
     * In the caller's READ COMMITTED transaction (or savepoint), which goes on: the captured
     * sources are locked in SHARE mode before the snapshot, so every statement sees the sources
     * and buffers of the one frontier; nothing is committed.
     */
    CALLERS_LOCKING_SOURCES,
    /** In the caller's REPEATABLE READ or SERIALIZABLE transaction: its snapshot is the frontier. */
    CALLERS,
    /** In its own REPEATABLE READ transaction, committed by the closing statements. */
    OWN,
    /**
     * In its own transaction, committed by the closing statements, which then delete the consumed
     * change-buffer rows in a transaction of their own ({@link Frontiers#cleanUpQuery}), all in
     * one round trip.
     */
    OWN_AND_CLEAN_UP;

    boolean own() {
      return this == OWN || this == OWN_AND_CLEAN_UP;
    }
  }

  /**
   * How far a run got, for the failure record: when its snapshot was taken, the action it was
   * taking and why, and the captured sources.
   */
  record Progress(
      OffsetDateTime start, RefreshAction action, String reason, List<Long> capturedSources) {
    static final Progress NOT_STARTED = new Progress(null, RefreshAction.FULL, null, List.of());

    Progress deciding(RefreshDecision.Decision decision) {
      return new Progress(start, decision.action(), decision.reason(), capturedSources);
    }
  }

  /**
   * @param cleanupPacing when a differential refresh deletes the buffer rows it consumed
   * @param workTables the work tables the engine created on each connection, for reuse
   * @param whenBusy whether to wait for a refresh of the same stream table in another transaction
   */
  RefreshRun(
      MaintenanceCompiler compiler,
      CleanupPacing cleanupPacing,
      SessionTempTables.Memory workTables,
      StreamTable st,
      InitiatedBy initiatedBy,
      Prologue.WhenBusy whenBusy) {
    this.compiler = compiler;
    this.cleanupPacing = cleanupPacing;
    this.workTables = workTables;
    this.st = st;
    this.initiatedBy = initiatedBy;
    this.whenBusy = whenBusy;
  }

  /**
   * Runs the refresh.
   *
   * @param storage the storage table, locked first ({@link Prologue})
   * @param forced an action to take regardless of changes, for create and alter
   */
  RefreshOutcome run(
      Connection c,
      Relation storage,
      Optional<RefreshDecision.Forced> forced,
      Transaction transaction)
      throws SQLException {
    return run(c, storage, forced, transaction, false);
  }

  /**
   * Runs the refresh; {@code walReady}: its own transaction is READ COMMITTED and locks the
   * sources, so it can wait for WAL capture ({@link Prologue}).
   */
  RefreshOutcome run(
      Connection c,
      Relation storage,
      Optional<RefreshDecision.Forced> forced,
      Transaction transaction,
      boolean walReady)
      throws SQLException {
    Prologue read =
        new Prologue.Reading(st, storage, whenBusy, workTables)
            .read(
                c, transaction.own(), transaction == Transaction.CALLERS_LOCKING_SOURCES,
                walReady, forced.isPresent());
    walCaptured = read.walCaptured();
    StreamTable locked = read.streamTable();
    List<Long> sourceIds = read.capturedIds();
    progress =
        new Progress(read.snapshot().takenAt(), progress.action(), progress.reason(), sourceIds);
    if (forced.isEmpty() && locked.state().status() == StreamTableStatus.SUSPENDED) {
      throw RefreshFailures.suspended(locked);
    }
    StreamTableDefinition definition =
        StreamTableDefinition.of(locked, read.storage(), read.sources());
    RefreshMode mode = locked.spec().effectiveMode();
    Optional<Compilation> compilation =
        mode == RefreshMode.FULL
            ? Optional.empty()
            : Optional.of(compiler.compile(c, definition));
    AsOwner owner = new OwnerExecutor(c, read.executor(), locked.spec().searchPath());
    RefreshDecision.Facts facts =
        RefreshDecision.Facts.read(
            forced,
            locked.state().populated(),
            read.frontiers().withFrontier().containsAll(sourceIds),
            mode,
            compilation
                .filter(Compilation.FullOnly.class::isInstance)
                .map(fullOnly -> ((Compilation.FullOnly) fullOnly).describe()),
            read.sources().stream().noneMatch(s -> s.dependency().kind().uncapturable()),
            locked.state().costs());
    RefreshDecision.Decision decision = RefreshDecision.decide(facts);
    while (!decision.isFinal()) {
      facts =
          switch (decision.step()) {
            case CHECK_PENDING ->
                facts.withPending(DeltaTables.anyPending(c, locked.pgtId(), sourceIds));
            case FILL_DELTAS -> {
              long filling = System.nanoTime();
              owner.run(read.temps().upkeep());
              DeltaTables.Fill fill =
                  DeltaTables.fill(
                      locked.pgtId(),
                      definition.capturedSources(),
                      read.temps(),
                      readsNamedColumnsOnly(compilation)
                          ? UnreadChanges.checkable(definition)
                          : Map.of(),
                      deltaLookups(compilation));
              List<SourceChanges> changes = fill.changes(owner.run(fill.batch()));
              owner.run(read.temps().analyzeTruncated());
              yield facts.withChanges(changes, (System.nanoTime() - filling) / 1e6);
            }
            case READ_COST_SETTING -> facts.withCostBased(CostBasedRecompute.enabled(c));
            case COUNT_BATCH ->
                facts.withBatch(DeltaTables.consumableRows(c, locked.pgtId(), sourceIds));
            case WEIGH_VOLUME ->
                facts.withVolume(
                    ChangeVolume.weigh(
                        c,
                        facts.changes().isPresent()
                            ? facts.changes().get()
                            : facts.batch().orElseThrow(),
                        definition,
                        !facts.learned()));
            default -> throw new IllegalStateException("not a reading step: " + decision);
          };
      decision = RefreshDecision.decide(facts);
    }
    progress = progress.deciding(decision);
    long decided = System.nanoTime();
    RefreshCounts counts =
        switch (decision.step()) {
          case RECOMPUTE -> recompute(c, owner, locked, storage, compilation);
          case APPLY_DELTAS ->
              ((Compilation.Differential) compilation.get())
                  .program()
                  .run(owner, changedSources(facts), read.temps(), read.pageCosts());
          default -> RefreshCounts.NONE;
        };
    long acted = System.nanoTime();
    read.temps().remember(c);
    RefreshOutcome outcome = new RefreshOutcome(decision.action(), counts, decision.reason());
    long changedRows = facts.changes().map(RefreshDecision::changedRows).orElse(0L);
    // A differential refresh costs its fill and its program; a recompute what it took after the
    // decision (a fill paid before it is not part of recomputing).
    boolean forCost = decision.step() == RefreshDecision.Step.RECOMPUTE
        && facts.costBased().orElse(false);
    double actedMillis = (acted - decided) / 1e6;
    RefreshCosts costs = LearnedCost.after(
        locked.state().costs(), decision.action(), forCost, changedRows,
        decision.step() == RefreshDecision.Step.APPLY_DELTAS
            ? facts.fillMillis() + actedMillis
            : actedMillis);
    close(c, read, outcome, costs, facts.changes(), transaction);
    return outcome;
  }

  private static boolean readsNamedColumnsOnly(Optional<Compilation> compilation) {
    return compilation.orElse(null) instanceof Compilation.Differential differential
        && differential.program().readsNamedColumnsOnly();
  }

  private static Map<Long, Set<List<String>>> deltaLookups(Optional<Compilation> compilation) {
    return compilation.orElse(null) instanceof Compilation.Differential differential
        ? differential.description().deltaLookups()
        : Map.of();
  }

  private static Set<Long> changedSources(RefreshDecision.Facts facts) {
    return facts.changes().orElseThrow().stream()
        .filter(change -> change.rows() > 0)
        .map(SourceChanges::sourceRelid)
        .collect(Collectors.toSet());
  }

  /**
   * Recomputes, as the owner, with the differential program's state ({@link RecomputedRows});
   * after a first population analyzes.
   */
  private RefreshCounts recompute(
      Connection c,
      AsOwner owner,
      StreamTable locked,
      Relation storage,
      Optional<Compilation> compilation)
      throws SQLException {
    RecomputedRows from = RecomputedRows.of(compilation);
    RefreshCounts counts = FullRefresh.apply(c, owner, locked, storage, from);
    StatementBatch after = new StatementBatch();
    if (!locked.state().populated()) {
      // First population: without statistics the planner would match a small delta against the
      // storage by scanning it whole, until autovacuum gets to it.
      after.add("ANALYZE " + storage.qualifiedName());
    }
    from.after().forEach(after::add);
    owner.run(after);
    return counts;
  }

  /**
   * The closing round trip: restores the caller's {@code search_path} (in the caller's
   * transaction), stores the frontiers, forgets missed changes after a recompute, records success
   * with the learned {@code costs} and history, and in a transaction of its own commits and, when due, cleans up.
   */
  private void close(
      Connection c,
      Prologue read,
      RefreshOutcome outcome,
      RefreshCosts costs,
      Optional<List<SourceChanges>> consumed,
      Transaction transaction)
      throws SQLException {
    List<Long> sourceIds = read.capturedIds();
    StatementBatch close = new StatementBatch();
    if (!transaction.own()) {
      close.add(
          "SELECT pg_catalog.set_config('search_path', "
              + Sql.literal(read.callerSearchPath()) + ", true)");
    }
    Frontiers.store(
        close, st.pgtId(), sourceIds, read.snapshot().frontier(), transaction.own(),
        read.frontiers());
    if (outcome.action() == RefreshAction.FULL || outcome.action() == RefreshAction.REINITIALIZE) {
      // What the cleanup recorded as missed before this refresh's snapshot is recomputed now; a
      // record it adds later stays (this transaction does not see it).
      close.add("DELETE FROM pgtrickle.pgt_missed_changes WHERE pgt_id = " + st.pgtId());
    }
    RefreshHistory.addCompleted(
        close, st.pgtId(), read.snapshot().takenAt(), outcome, costs, initiatedBy);
    if (transaction.own()) {
      close.add("COMMIT");
    }
    boolean cleanUp =
        transaction == Transaction.OWN_AND_CLEAN_UP
            && (outcome.action() != RefreshAction.NO_DATA || consumedAny(consumed))
            && !sourceIds.isEmpty()
            && (consumed.isEmpty() || cleanupPacing.due(c, st.pgtId(), consumed.get()));
    if (cleanUp) {
      Frontiers.addCleanUp(
          close,
          sourceIds,
          read.streamTable().spec().effectiveMode(),
          done -> cleanup = Optional.of(done));
    }
    try {
      close.run(c);
    } catch (SQLException e) {
      if (!cleanUp || !committed(c)) {
        throw e;
      }
      // Only the cleanup, after the COMMIT, failed (cancelled, say): the refresh stands.
      cleanup = Optional.of(Frontiers.Cleanup.failed(RefreshFailures.messageOf(e)));
    }
  }

  /** Whether the refresh consumed changes, ones that cancelled on the columns read included. */
  private static boolean consumedAny(Optional<List<SourceChanges>> consumed) {
    return consumed.isPresent() && consumed.get().stream().anyMatch(ch -> ch.consumed() > 0);
  }

  /**
   * What the cleanup after the commit found (its failures, and the buffers due for {@link
   * BufferVacuum}, which the caller vacuums once the connection is back in autocommit); empty
   * when none ran.
   */
  Optional<Frontiers.Cleanup> cleanup() {
    return cleanup;
  }

  /** Whether the run found a source of the stream table captured from the WAL. */
  boolean walCaptured() {
    return walCaptured;
  }

  /** How far the run got, for the failure record. */
  Progress progress() {
    return progress;
  }

  /** Whether the connection is outside a transaction, so the run's COMMIT went through. */
  private static boolean committed(Connection c) throws SQLException {
    return c.isWrapperFor(BaseConnection.class)
        && c.unwrap(BaseConnection.class).getTransactionState() == TransactionState.IDLE;
  }
}
