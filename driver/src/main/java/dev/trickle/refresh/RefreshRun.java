package dev.trickle.refresh;

import dev.trickle.catalog.RefreshMode;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.StreamTable;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.catalog.StreamTableStatus;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * One refresh attempt, inside a transaction (or savepoint) the {@link RefreshEngine} opened: take
 * the refresh locks, check the sources, take the frontier snapshot, choose the
 * strategy, apply it with maintenance enabled, store frontiers, record success and history. The
 * fields say how far it got, for the failure record.
 */
final class RefreshRun {
  /** The savepoint before a differential program sent ahead of the decision. */
  private static final String SPECULATIVE_PROGRAM = "__pgt_program";

  private final MaintenanceCompiler compiler;
  private StreamTable st;
  private final InitiatedBy initiatedBy;
  private final boolean skipIfBusy;
  private OffsetDateTime start;
  private RefreshAction action = RefreshAction.FULL;
  private String reason;
  private List<Long> capturedSources = List.of();
  /** What the cleanup after the commit found; null when none ran. */
  private Frontiers.Cleanup cleanup;
  private StartCheck startCheck;
  private final SmallBatches smallBatches;
  private final CleanupPacing cleanupPacing;
  private final RefreshFunction.Installed functions;
  /** What the delta fill consumed, for {@link CleanupPacing}; null when no fill ran. */
  private List<SourceChanges> consumed;
  /** A program sent ahead that nothing confirmed, still to roll back with the closing statements. */
  private boolean speculationLeftOver;
  /** Whether the run opened its transaction (it may then commit in one round trip). */
  private boolean ownTransaction;
  /** Never commit in the first round trip: a run again after the server declined that. */
  private boolean inTwoRoundTrips;

  /** How a run's transaction ends. */
  enum Ending {
    /** In the caller's transaction or savepoint, which goes on: nothing is committed. */
    CALLER,
    /** In its own transaction, committed by the closing statements. */
    COMMIT,
    /**
     * In its own transaction, committed by the closing statements, which then delete the consumed
     * change-buffer rows in a transaction of their own ({@link Frontiers#cleanUpQuery}), all in
     * one round trip.
     */
    COMMIT_AND_CLEAN_UP
  }

  RefreshRun(
      MaintenanceCompiler compiler,
      RefreshMemory memory,
      StreamTable st,
      InitiatedBy initiatedBy) {
    this(compiler, memory, st, initiatedBy, false);
  }

  /**
   * A run that, with {@code skipIfBusy}, refuses ({@link RefreshFailures#busy}) instead of waiting
   * when another transaction holds the storage lock (a refresh of the same stream table).
   *
   * @param memory what the refreshes on the connection learned for the next ones
   */
  RefreshRun(
      MaintenanceCompiler compiler,
      RefreshMemory memory,
      StreamTable st,
      InitiatedBy initiatedBy,
      boolean skipIfBusy) {
    this.compiler = compiler;
    this.smallBatches = memory.smallBatches();
    this.cleanupPacing = memory.cleanupPacing();
    this.functions = memory.functions();
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
   *     after the previous refresh committed; the scheduler asks for it with {@code NOWAIT}.
   *     No advisory lock: any role that can connect could hold one (docs/security.md)
   * @param forced the action to take regardless of changes ({@code FULL} or {@code
   *     REINITIALIZE}), or null to decide from the changes
   * @param forcedReason why it is forced
   * @param lockSources lock the captured sources in SHARE mode before taking the snapshot: in READ
   *     COMMITTED every statement has its own snapshot, and blocking writers keeps the sources and
   *     buffers identical for all of them, so they match the one frontier
   * @param ending whether the engine opened the transaction for this refresh alone (then the run
   *     makes it REPEATABLE READ and commits it with its closing statements) and cleans up after
   */
  RefreshOutcome run(
      Connection c,
      Relation storage,
      RefreshAction forced,
      String forcedReason,
      boolean lockSources,
      Ending ending)
      throws SQLException {
    ownTransaction = ending != Ending.CALLER;
    if (forced != null) {
      action = forced;
      reason = forcedReason;
    }
    Prologue prologue = open(c, storage, lockSources, ownTransaction);
    if (forced == null && st.state().status() == StreamTableStatus.SUSPENDED) {
      notCommitted(prologue.ahead, "for a suspended stream table");
      throw RefreshFailures.suspended(st);
    }
    Frontiers.Snapshot snapshot = prologue.snapshot;
    start = snapshot.takenAt();
    Set<Long> stored = prologue.frontiers.withFrontier();
    List<Long> sourceIds = capturedSources();
    StreamTableDefinition definition =
        StreamTableDefinition.of(st, prologue.storage.get(), prologue.sources);
    RefreshMode mode = st.spec().effectiveMode();
    boolean differentialAhead =
        forced == null
            && mode == RefreshMode.DIFFERENTIAL
            && st.state().populated()
            && stored.containsAll(sourceIds);
    SentAhead ahead = prologue.ahead;
    if (ahead != null && !(differentialAhead && ahead.standsFor(definition, prologue.temps))) {
      notCommitted(ahead, "for another definition or other work tables");
      // The program's writes are undone; the delta tables are work tables, refilled by any fill.
      run(c, List.of("ROLLBACK TO SAVEPOINT " + SPECULATIVE_PROGRAM));
      ahead = null;
    }
    Compilation compilation;
    if (ahead != null) {
      compilation = ahead.last().compilation();
    } else if (mode == RefreshMode.DIFFERENTIAL || mode == RefreshMode.IMMEDIATE) {
      compilation = compiler.compile(c, definition);
    } else {
      compilation = null;
    }
    RefreshOutcome outcome;
    if (forced != null) {
      outcome = full(c, storage, compilation);
    } else if (!st.state().populated()) {
      outcome = full(c, storage, compilation, "not populated");
    } else if (!stored.containsAll(sourceIds)) {
      outcome = full(c, storage, compilation, "no frontier recorded for a source");
    } else if (mode == RefreshMode.IMMEDIATE) {
      // Its triggers keep it current inside every writing transaction; consuming the buffered
      // changes again would apply them twice. Only the frontier advances.
      outcome = noData();
    } else if (compilation == null) {
      boolean allCaptured =
          prologue.sources.stream().noneMatch(s -> s.dependency().kind().uncapturable());
      if (allCaptured && !DeltaTables.anyPending(c, st.pgtId(), sourceIds)) {
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
              c, storage, (Compilation.Differential) compilation, definition, prologue, ahead);
    }
    if (ahead != null && ahead.committed()) {
      if (cleanUpDue(c, ending, outcome, sourceIds)) {
        cleanUpAfterOneRoundTrip(c, sourceIds);
      }
      return outcome;
    }
    StatementBatch close = new StatementBatch();
    if (speculationLeftOver) {
      close.add("ROLLBACK TO SAVEPOINT " + SPECULATIVE_PROGRAM);
    }
    close.add(leaveMaintenance(prologue.searchPath, prologue.callerRole));
    Frontiers.store(
        close, st.pgtId(), sourceIds, snapshot.frontier(), ownTransaction, prologue.frontiers);
    if (outcome.action() == RefreshAction.FULL || outcome.action() == RefreshAction.REINITIALIZE) {
      // What the cleanup recorded as missed before this refresh's snapshot is recomputed now; a
      // record it adds later stays (this transaction does not see it).
      close.add("DELETE FROM pgtrickle.pgt_missed_changes WHERE pgt_id = " + st.pgtId());
    }
    RefreshHistory.addCompleted(close, st.pgtId(), snapshot.takenAt(), outcome, initiatedBy);
    if (ownTransaction) {
      close.add("COMMIT");
    }
    boolean cleanUp = cleanUpDue(c, ending, outcome, sourceIds);
    if (cleanUp) {
      Frontiers.addCleanUp(close, sourceIds, done -> cleanup = done);
    }
    try {
      close.run(c);
    } catch (SQLException e) {
      if (!cleanUp || !committed(c)) {
        throw e;
      }
      // Only the cleanup, after the COMMIT, failed (cancelled, say): the refresh stands.
      cleanup = Frontiers.Cleanup.failed(RefreshFailures.messageOf(e));
    }
    return outcome;
  }

  /** Whether the run cleans up the consumed buffer rows after its commit ({@link CleanupPacing}). */
  private boolean cleanUpDue(
      Connection c, Ending ending, RefreshOutcome outcome, List<Long> sourceIds) {
    return ending == Ending.COMMIT_AND_CLEAN_UP
        && outcome.action() != RefreshAction.NO_DATA
        && !sourceIds.isEmpty()
        && (consumed == null || cleanupPacing.due(c, st.pgtId(), consumed));
  }

  /**
   * Cleans up after a run that committed in its first round trip, in a transaction of its own; a
   * failure is reported with the cleanup, as when the cleanup follows the closing statements.
   */
  private void cleanUpAfterOneRoundTrip(Connection c, List<Long> sourceIds) throws SQLException {
    try {
      cleanup = Frontiers.cleanUp(c, sourceIds, true);
    } catch (SQLException e) {
      c.rollback();
      cleanup = Frontiers.Cleanup.failed(RefreshFailures.messageOf(e));
    }
  }

  /**
   * A run again after the server declined to commit in the first round trip ({@link
   * RefreshInOneRoundTrip#DECLINED}): it sends the program ahead under a savepoint instead.
   */
  RefreshRun inTwoRoundTrips() {
    this.inTwoRoundTrips = true;
    return this;
  }

  /**
   * Confirms the target this run was given with {@code check} in its first round trip; when it
   * does not hold, or that round trip fails, the run throws {@link StaleStart} before changing
   * anything.
   */
  RefreshRun confirmedBy(StartCheck check) {
    this.startCheck = check;
    return this;
  }

  /**
   * What the cleanup after the commit found (its failures, and the buffers due for {@link
   * BufferVacuum}, which the caller vacuums once the connection is back in autocommit); empty
   * when none ran.
   */
  Optional<Frontiers.Cleanup> cleanup() {
    return Optional.ofNullable(cleanup);
  }

  /** Whether the connection is outside a transaction, so the run's COMMIT went through. */
  private static boolean committed(Connection c) throws SQLException {
    return c.isWrapperFor(BaseConnection.class)
        && c.unwrap(BaseConnection.class).getTransactionState() == TransactionState.IDLE;
  }

  /** The oids of the captured sources, known once the run has read them. */
  List<Long> capturedSources() {
    return capturedSources;
  }

  /** What the opening round trips read, under the refresh's locks. */
  private static final class Prologue {
    private List<StreamTable> locked;
    private List<LiveSources.Source> sources;
    private Optional<StorageRelation> storage;
    private Frontiers.Snapshot snapshot;
    private Frontiers.Stored frontiers;
    private String searchPath;
    /** The {@code role} setting the refresh replaced by the owner's ({@link OwnerRole}). */
    private String callerRole;
    private SessionTempTables temps;
    /** The fill and program sent with the prologue, or null. */
    private SentAhead ahead;
    /** The prologue's result, with the counts of what was sent ahead. */
    private StatementBatch.Result result;
  }

  /**
   * A delta fill and differential program sent in the prologue's round trip, from what the last
   * small batch on the connection ran with ({@link SmallBatches}), the program under savepoint
   * {@link #SPECULATIVE_PROGRAM}.
   *
   * @param last what they were built from
   * @param temps the work tables assumed, as the fill and program left them
   * @param filled the fill's report
   * @param counts reads the program's counts from the prologue's result
   * @param committed whether the closing statements and {@code COMMIT} went too ({@link
   *     RefreshInOneRoundTrip}), the server having confirmed what they assumed
   * @param report the index of the fill's report in the batch, -1 when it has none (no source)
   */
  private record SentAhead(
      SmallBatches.Applied last,
      SessionTempTables temps,
      DeltaTables.Report filled,
      Function<StatementBatch.Result, RefreshCounts> counts,
      boolean committed,
      int report) {
    /**
     * Whether what was sent ahead is what the refresh would have sent now: the same definition,
     * and work tables that are the ones the session held.
     */
    boolean standsFor(StreamTableDefinition definition, SessionTempTables now) {
      return definition.equals(last.definition()) && temps.filledAheadIn(now);
    }
  }

  /**
   * Takes the locks and reads everything the refresh decides from, in one round trip (two when
   * {@code lockSources}, whose lock must precede the snapshot): in an own transaction it first
   * makes it REPEATABLE READ; locks the storage (so refreshes of one stream table queue up; {@code
   * LOCK TABLE} takes no snapshot, so a REPEATABLE READ refresh gets its snapshot only after the
   * previous refresh committed; only roles with rights on the storage can take that lock);
   * re-reads the catalog row under a row lock: every refresh updates that row, so in a REPEATABLE
   * READ transaction whose snapshot is older than the last refresh the lock fails (40001), and the
   * refresh is refused instead of moving the frontier backwards; reads the sources, the frontier
   * snapshot and stored frontiers, and the session's work tables; sets the stream table's {@code
   * search_path} and enables writes to storage.
   */
  private Prologue open(
      Connection c,
      Relation storage,
      boolean lockSources,
      boolean ownTransaction)
      throws SQLException {
    SmallBatches.Applied last = smallBatches.last(c, st.pgtId()).orElse(null);
    Prologue p = null;
    if (startCheck != null && ownTransaction && !lockSources && last != null && last.repeats()
        && !inTwoRoundTrips) {
      p = openInOneCall(c, storage, last);
    }
    if (p == null) {
      p = openInOneBatch(c, storage, lockSources, ownTransaction, last);
    }
    if (p.locked.isEmpty()) {
      throw RefreshFailures.dropped(st);
    }
    st = p.locked.get(0);
    Optional<SQLException> drift = SourceDrift.of(st, p.sources);
    if (drift.isPresent()) {
      throw drift.get();
    }
    List<Relation> captured = new ArrayList<>();
    for (LiveSources.Source source : p.sources) {
      if (source.dependency().kind().captured()) {
        captured.add(source.relation().get());
      }
    }
    capturedSources = captured.stream().map(Relation::relid).toList();
    if (p.storage.isEmpty()) {
      throw RefreshFailures.storageMissing(st);
    }
    if (lockSources) {
      StatementBatch atSnapshot = new StatementBatch();
      if (!captured.isEmpty()) {
        atSnapshot.add(
            "LOCK TABLE "
                + captured.stream().map(Relation::qualifiedName).collect(Collectors.joining(", "))
                + " IN SHARE MODE");
      }
      readAtSnapshot(atSnapshot, p, storage, last);
      try {
        atSnapshot.run(c);
      } catch (SQLException e) {
        throw OwnerRole.refusedOrSame(st, e);
      }
    }
    return p;
  }

  private Prologue openInOneBatch(
      Connection c,
      Relation storage,
      boolean lockSources,
      boolean ownTransaction,
      SmallBatches.Applied last)
      throws SQLException {
    Prologue p = new Prologue();
    StatementBatch batch = new StatementBatch();
    if (ownTransaction) {
      batch.add("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    }
    batch.add(lockStorage(storage));
    addLockedReads(batch, p, storage);
    if (!lockSources) {
      readAtSnapshot(batch, p, storage, last);
      if (startCheck != null && ownTransaction && last != null) {
        p.ahead = sendAhead(batch, storage, last, true);
      }
    }
    p.result = runPrologue(c, batch);
    if (startCheck != null
        && (!startCheck.holds()
            || p.locked.isEmpty()
            || p.storage.isEmpty()
            || !p.storage.get().relation().qualifiedName().equals(storage.qualifiedName()))) {
      throw new StaleStart(null);
    }
    return p;
  }

  /**
   * The prologue of a run that repeats the last small batch ({@link SmallBatches.Applied#repeats})
   * and commits in its first round trip ({@link RefreshInOneRoundTrip}), as one call of a session
   * function ({@link RefreshFunction}): the locks and reads, the fill, its confirming report, the
   * program and the closing statement run in the function, between the storage lock and {@code
   * COMMIT}. The function returns the report, the frontier and the rows written; what else the
   * prologue reads is what the batch repeated read ({@link SmallBatches.Reads}), which the server
   * confirms by the digests (the start check's included: equal reads, and the repeated batch's
   * check held). The statements are built once for what they are built from ({@link #builtFrom}),
   * not on every refresh. Null when the batch cannot run so ({@link #sendAhead} would not send it
   * ahead, or {@link RefreshFunction#of} declines it), which is remembered for the same key too.
   */
  private Prologue openInOneCall(Connection c, Relation storage, SmallBatches.Applied last)
      throws SQLException {
    String key = builtFrom(storage, last);
    Optional<RefreshFunction> built =
        functions.builtFrom(c, st.pgtId(), key).orElseGet(() -> build(storage, last));
    if (built.isEmpty()) {
      functions.declined(c, st.pgtId(), key);
      return null;
    }
    RefreshFunction function = built.get();
    Prologue p = new Prologue();
    StatementBatch batch = new StatementBatch();
    batch.add("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    batch.add(lockStorage(storage));
    RefreshFunction.Called[] called = new RefreshFunction.Called[1];
    function.addCall(batch, functions.held(c, st.pgtId()), row -> called[0] = row);
    batch.add("COMMIT");
    try {
      runPrologue(c, batch);
    } catch (StaleStart stale) {
      if (stale.getCause() instanceof SQLException e
          && RefreshFunction.UNDEFINED.equals(e.getSQLState())) {
        functions.lost(c, st.pgtId());
      }
      throw stale;
    }
    functions.called(c, st.pgtId(), key, function);
    SmallBatches.Reads reads = last.reads();
    p.locked = List.of(reads.streamTable());
    p.sources = reads.sources();
    p.storage = Optional.of(reads.storage());
    p.frontiers = last.frontiers();
    p.temps = last.temps().refilledAsBefore();
    p.snapshot = called[0].snapshot();
    RefreshCounts counts = called[0].counts();
    // Its own copy: confirming it (SentAhead#standsFor) adds what it filled to the prologue's.
    p.ahead =
        new SentAhead(
            last, last.temps().refilledAsBefore(), called[0].report(), result -> counts, true, -1);
    return p;
  }

  /**
   * What the statements of {@link #openInOneCall} are built from, as a key: the digest of the
   * repeated batch's reads (which covers the definition, the sources, the storage table, the
   * frontier rows and the work tables, and so the compilation and the statements filling them),
   * the sources it changed, who initiates the refresh (recorded in the history), the storage
   * table, and the start check's text.
   */
  private String builtFrom(Relation storage, SmallBatches.Applied last) {
    StatementBatch check = new StatementBatch();
    startCheck.addTo(check);
    return String.join(
        "\n",
        last.digest(),
        new TreeSet<>(last.changedSources()).toString(),
        initiatedBy.name(),
        storage.relid() + " " + storage.qualifiedName(),
        String.join(";", check.statements()));
  }

  /** Builds the session function for {@link #openInOneCall}; empty when it cannot be one. */
  private Optional<RefreshFunction> build(Relation storage, SmallBatches.Applied last) {
    Prologue unread = new Prologue();
    StatementBatch body = new StatementBatch();
    addLockedReads(body, unread, storage);
    readAtSnapshot(body, unread, storage, last);
    SentAhead ahead = sendAhead(body, storage, last, false);
    if (ahead == null || !ahead.committed() || ahead.report() < 0) {
      return Optional.empty();
    }
    List<Long> sources =
        last.definition().capturedSources().stream()
            .map(StreamTableDefinition.Source::relid)
            .toList();
    return RefreshFunction.of(st.pgtId(), body, ahead.report(), sources, storage.relid());
  }

  /** {@code LOCK TABLE} of the storage, {@code NOWAIT} when the run skips a busy stream table. */
  private String lockStorage(Relation storage) {
    return "LOCK TABLE "
        + storage.qualifiedName()
        + " IN SHARE UPDATE EXCLUSIVE MODE"
        + (skipIfBusy ? " NOWAIT" : "");
  }

  /**
   * Adds the reads made under the storage lock: the catalog row under its row lock, the sources,
   * the storage table and the start check.
   */
  private void addLockedReads(StatementBatch batch, Prologue p, Relation storage) {
    batch.add(
        ReadDigest.ofRow(
            ReadDigest.Read.CATALOG,
            StreamTableCatalog.lockByIdQuery(st.pgtId()),
            StreamTableCatalog.DECIDING_COLUMNS),
        rs -> p.locked = StreamTableCatalog.read(rs));
    LiveSources.load(batch, st.pgtId(), sources -> p.sources = sources);
    StorageRelation.load(batch, storage.relid(), found -> p.storage = found);
    if (startCheck != null) {
      startCheck.addTo(batch);
    }
  }

  /** Runs the prologue's round trip, turning its failures into what the engine expects. */
  private StatementBatch.Result runPrologue(Connection c, StatementBatch batch)
      throws SQLException {
    try {
      return batch.run(c);
    } catch (SQLException e) {
      if (startCheck != null) {
        throw new StaleStart(e);
      }
      if (skipIfBusy && RefreshFailures.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
        throw RefreshFailures.busy(st);
      }
      if ("40001".equals(e.getSQLState())) {
        throw RefreshFailures.staleSnapshot(st);
      }
      throw OwnerRole.refusedOrSame(st, e);
    }
  }

  /**
   * Adds the delta fill and the program of the last small batch of this stream table on the
   * connection to the prologue's {@code batch}, the program under savepoint {@link
   * #SPECULATIVE_PROGRAM}, when they only refill kept work tables; returns what was sent, or null.
   * Only for a run that confirms a remembered target in its own transaction: should anything in
   * the round trip fail, the engine rolls it all back and takes the general path ({@link
   * StaleStart}). When that batch repeated the one before it ({@link SmallBatches.Applied#repeats}),
   * the closing statements go too, with no savepoint ({@link RefreshInOneRoundTrip}), and {@code
   * COMMIT} when {@code commit} (else the caller commits after them).
   */
  private SentAhead sendAhead(
      StatementBatch batch, Relation storage, SmallBatches.Applied last, boolean commit) {
    SessionTempTables temps = last.temps().leftForNext();
    List<StreamTableDefinition.Source> sources = last.definition().capturedSources();
    if (!DeltaTables.refillsOnly(sources, temps)) {
      return null;
    }
    Optional<DifferentialProgram.BatchedProgram> program =
        last.compilation().program().inBatch(last.changedSources(), temps);
    if (program.isEmpty()) {
      return null;
    }
    if (last.repeats() && !inTwoRoundTrips) {
      List<Long> relids = sources.stream().map(StreamTableDefinition.Source::relid).toList();
      DeltaTables.Report filled =
          DeltaTables.fill(
              batch,
              st.pgtId(),
              sources,
              temps,
              report ->
                  RefreshInOneRoundTrip.confirmingReport(
                      report, relids, last.changedSources(), last.digest(), storage.relid()));
      int report = sources.isEmpty() ? -1 : batch.size() - 1;
      Function<StatementBatch.Result, RefreshCounts> counts = program.get().appendTo(batch);
      RefreshInOneRoundTrip.addClosing(
          batch, st.pgtId(), storage.relid(), relids, last.frontiers(), initiatedBy);
      if (commit) {
        batch.add("COMMIT");
      }
      return new SentAhead(last, temps, filled, counts, true, report);
    }
    DeltaTables.Report filled = DeltaTables.fill(batch, st.pgtId(), sources, temps);
    batch.add("SAVEPOINT " + SPECULATIVE_PROGRAM);
    return new SentAhead(last, temps, filled, program.get().appendTo(batch), false, -1);
  }

  /**
   * The reads that must see the frontier snapshot, and entering maintenance (in the statement that
   * takes the snapshot): the stream table's {@code search_path} and, last, the owner's role
   * ({@link OwnerRole}), under which every later statement of the refresh runs, whichever way it
   * is sent.
   *
   * @param last the last small batch of the stream table on the connection, or null
   */
  private void readAtSnapshot(
      StatementBatch batch, Prologue p, Relation storage, SmallBatches.Applied last) {
    // The caller's search_path is read in a subquery that runs before the settings change.
    Frontiers.take(
        batch,
        "caller.search_path, set_config('pgtrickle.maintenance', 'on', true),"
            + " set_config('search_path', (SELECT search_path FROM pgtrickle.pgt_stream_tables"
            + " WHERE pgt_id = "
            + st.pgtId()
            + "), true), "
            + OwnerRole.enter(storage.relid()),
        "(SELECT current_setting('search_path') AS search_path OFFSET 0) AS caller",
        snapshot -> p.snapshot = snapshot,
        rs -> {
          p.searchPath = rs.getString(5);
          p.callerRole = rs.getString(8);
        });
    Frontiers.read(batch, st.pgtId(), frontiers -> p.frontiers = frontiers);
    // A refresh repeating the last small batch measures only the work tables that one filled.
    SessionTempTables.load(
        batch,
        last == null ? null : last.temps().filledBefore(),
        temps -> p.temps = temps);
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

  /** A delta fill that ran, and the program sent with it under a savepoint, if one was. */
  private record Filled(
      DeltaTables.Report report,
      Set<Long> expected,
      Function<StatementBatch.Result, RefreshCounts> speculative,
      StatementBatch.Result result) {}

  /**
   * Applies the filled delta tables. When the last differential refresh of this stream table on
   * this connection applied a small batch ({@link SmallBatches}), the program for the sources it
   * applied went with the fill, under a savepoint ({@link #fill}, or the prologue: {@code ahead});
   * it stands when the fill's counts lead to DIFFERENTIAL for exactly those sources. Should the
   * fill say otherwise, the program is rolled back and the refresh goes on as if it had not run
   * (when nothing changed, the rollback goes with the closing statements).
   *
   * @param ahead the fill and program the prologue sent, confirmed ({@link SentAhead#standsFor}),
   *     or null to fill now
   */
  private RefreshOutcome differential(
      Connection c,
      Relation storage,
      Compilation.Differential compilation,
      StreamTableDefinition definition,
      Prologue prologue,
      SentAhead ahead)
      throws SQLException {
    SessionTempTables temps = prologue.temps;
    Filled fill =
        ahead != null
            ? new Filled(
                ahead.filled(), ahead.last().changedSources(), ahead.counts(), prologue.result)
            : fill(c, compilation, definition, temps);
    DeltaTables.Report filled = fill.report();
    Set<Long> expected = fill.expected();
    Function<StatementBatch.Result, RefreshCounts> speculative = fill.speculative();
    StatementBatch.Result result = fill.result();
    List<SourceChanges> changes = filled.changes();
    consumed = changes;
    Set<Long> changed = new HashSet<>();
    changes.stream().filter(ch -> ch.rows() > 0).forEach(ch -> changed.add(ch.sourceRelid()));
    RefreshOutcome outcome;
    if (changes.stream().anyMatch(SourceChanges::truncated)) {
      notCommitted(ahead, "although a source was truncated");
      discard(c, speculative);
      outcome = full(c, storage, compilation, "source truncated");
    } else if (changed.isEmpty()) {
      speculationLeftOver = speculative != null && (ahead == null || !ahead.committed());
      outcome = noData();
    } else {
      String mostlyChanged = ChangeVolume.mostlyChanged(c, changes);
      if (mostlyChanged != null) {
        notCommitted(ahead, "although most of a source changed");
        discard(c, speculative);
        outcome = full(c, storage, compilation, mostlyChanged);
      } else {
        action = RefreshAction.DIFFERENTIAL;
        reason = null;
        RefreshCounts counts;
        if (speculative != null && changed.equals(expected) && SmallBatches.small(changes)) {
          counts = speculative.apply(result);
        } else {
          notCommitted(ahead, "for other changes");
          discard(c, speculative);
          counts = compilation.program().run(c, changed, temps);
        }
        outcome = new RefreshOutcome(action, counts, null);
      }
    }
    temps.remember(c);
    smallBatches.record(
        c,
        st.pgtId(),
        outcome.action(),
        changes,
        new SmallBatches.Applied(
            changed,
            definition,
            compilation,
            temps.leftForNext(),
            ownTransaction ? filled.digest() : null,
            prologue.frontiers,
            new SmallBatches.Reads(st, prologue.sources, prologue.storage.get()),
            false));
    return outcome;
  }

  /**
   * Fails, as a defect, when {@code ahead} committed although the client finds it should not have:
   * the server's confirmation ({@link RefreshInOneRoundTrip}) must imply every check made here.
   */
  private static void notCommitted(SentAhead ahead, String why) {
    if (ahead != null && ahead.committed()) {
      throw new IllegalStateException(
          "a refresh committed in one round trip was sent " + why
              + "; the server's confirmation missed what the client checks");
    }
  }

  /**
   * Fills the delta tables, and sends the program of the last small batch with the fill, under a
   * savepoint, when there was one. A program that fails where the fill's counts would not have
   * run it (a truncation left its deltas incomplete, say) is rolled back, and the fill's report
   * read again; when the fill itself failed, there is no savepoint to return to, and its error
   * stands.
   */
  private Filled fill(
      Connection c,
      Compilation.Differential compilation,
      StreamTableDefinition definition,
      SessionTempTables temps)
      throws SQLException {
    StatementBatch batch = new StatementBatch();
    DeltaTables.Report filled =
        DeltaTables.fill(batch, st.pgtId(), definition.capturedSources(), temps);
    Set<Long> expected =
        smallBatches.last(c, st.pgtId()).map(SmallBatches.Applied::changedSources).orElse(null);
    Optional<DifferentialProgram.BatchedProgram> program =
        expected == null ? Optional.empty() : compilation.program().inBatch(expected, temps);
    Function<StatementBatch.Result, RefreshCounts> speculative = null;
    if (program.isPresent()) {
      batch.add("SAVEPOINT " + SPECULATIVE_PROGRAM);
      speculative = program.get().appendTo(batch);
    }
    try {
      return new Filled(filled, expected, speculative, batch.run(c));
    } catch (SQLException e) {
      if (speculative == null) {
        throw e;
      }
      StatementBatch again = new StatementBatch();
      again.add("ROLLBACK TO SAVEPOINT " + SPECULATIVE_PROGRAM);
      filled.addTo(again);
      try {
        again.run(c);
      } catch (SQLException secondError) {
        e.addSuppressed(secondError);
        throw e;
      }
      return new Filled(filled, expected, null, null);
    }
  }

  /** Rolls back the program run ahead of the decision, if one ran. */
  private static void discard(
      Connection c, Function<StatementBatch.Result, RefreshCounts> speculative)
      throws SQLException {
    if (speculative != null) {
      run(c, List.of("ROLLBACK TO SAVEPOINT " + SPECULATIVE_PROGRAM));
    }
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
    if (!st.state().populated()) {
      // First population: without statistics the planner would match a small delta against the
      // storage by scanning it whole, until autovacuum gets to it.
      run(c, List.of("ANALYZE " + storage.qualifiedName()));
    }
    if (compilation instanceof Compilation.Differential differential) {
      run(c, differential.populateStatements());
    }
    return new RefreshOutcome(action, counts, reason);
  }

  /**
   * The statement that guards the storage again and restores the caller's {@code search_path} and
   * role ({@link OwnerRole#leave}).
   */
  private static String leaveMaintenance(String searchPath, String callerRole) {
    return "SELECT set_config('pgtrickle.maintenance', 'off', true), set_config('search_path', "
        + Sql.literal(searchPath)
        + ", true), "
        + OwnerRole.leave(callerRole);
  }

  private static void run(Connection c, List<String> statements) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.setEscapeProcessing(false);
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }
}
