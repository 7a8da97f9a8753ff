package dev.trickle.refresh;

import dev.trickle.catalog.RefreshMode;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTable;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.catalog.StreamTableStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refreshes stream tables. A refresh is one transaction (DESIGN principles 3 and 4):
 *
 * <ul>
 *   <li>Outside any transaction (autocommit on and the server idle, {@link ServerTransaction}) it
 *       opens its own REPEATABLE READ transaction, so every
 *       statement reads sources and buffers at the one snapshot it records as the new frontier.
 *       The first statement is {@code LOCK TABLE storage IN SHARE UPDATE EXCLUSIVE MODE}, which
 *       takes no snapshot: a refresh that waited for another one gets a snapshot that includes it.
 *   <li>Inside the caller's transaction (autocommit off, or {@code BEGIN} sent as text) it runs
 *       under a savepoint (a failure rolls back to it), and the caller's rollback undoes it. In
 *       READ COMMITTED, where each statement has a new snapshot, it also locks the captured sources
 *       in SHARE mode, which lets readers through but waits for and blocks writers, so all its
 *       statements see the same source state and buffer contents as the frontier. In REPEATABLE
 *       READ or SERIALIZABLE the transaction snapshot is the frontier; if it is older than the last
 *       refresh the refresh is refused (55000) rather than move the frontier backwards.
 * </ul>
 *
 * A refresh of its own that overlaps an alter or resume of the stream table in another transaction
 * waits for it to commit and then refreshes the stream table as changed: an alter that repopulates
 * (a new query) holds the storage table, which the refresh locks first; otherwise the refresh
 * waits for the catalog row, and as its snapshot is older than the change it starts again in a new
 * transaction ({@link RefreshFailures#changedConcurrently}).
 *
 * Every attempt is recorded in {@code pgt_refresh_history}. A failed attempt is recorded after the
 * rollback of its work (in its own transaction in autocommit, else in the caller's), and counts
 * towards {@code pg_trickle.max_consecutive_errors}: permanent failures (the query no longer fits
 * the database, such as a dropped source) set status ERROR, repeated other failures SUSPENDED.
 * Consumed change-buffer rows are cleaned up afterwards in READ COMMITTED (skipped inside a
 * caller's REPEATABLE READ transaction; the next refresh does it).
 */
public final class RefreshEngine {
  /** The savepoint a refresh runs under inside the caller's transaction. */
  private static final String SAVEPOINT = "__pgt_refresh";

  /** Who asks for a refresh, which fixes how it treats a busy stream table and the cleanup. */
  private enum Requester {
    /** An application's call: waits for a refresh in progress and cleans up after its commit. */
    MANUAL(Prologue.WhenBusy.WAIT, true),
    /** The scheduler: skips a busy stream table and cleans up after its pass ({@link #cleanUp}). */
    SCHEDULER(Prologue.WhenBusy.SKIP, false);

    private final Prologue.WhenBusy whenBusy;
    private final boolean cleansUpAfter;

    Requester(Prologue.WhenBusy whenBusy, boolean cleansUpAfter) {
      this.whenBusy = whenBusy;
      this.cleansUpAfter = cleansUpAfter;
    }
  }

  private final MaintenanceCompiler compiler;
  /** When a differential refresh on a connection deletes the buffer rows it consumed. */
  private final CleanupPacing cleanupPacing = new CleanupPacing();
  /** The work tables refreshes created on each connection, reused by the next refresh there. */
  private final SessionTempTables.Memory workTables = new SessionTempTables.Memory();
  /**
   * The stream tables last found reading a source captured from the WAL: their refreshes of
   * their own start READ COMMITTED ({@link WalCapturedSources}).
   */
  private final Set<Long> walCaptured = ConcurrentHashMap.newKeySet();

  /** An engine that asks {@code compiler} for differential programs. */
  public RefreshEngine(MaintenanceCompiler compiler) {
    this.compiler = compiler;
  }

  /**
   * Refreshes the stream table now: DIFFERENTIAL when possible, FULL when required, NO_DATA when
   * nothing changed. Refuses (55000) a suspended stream table.
   *
   * @param maxConsecutiveErrors failures in a row after which the stream table is suspended
   */
  public RefreshOutcome refresh(
      Connection c, long pgtId, InitiatedBy initiatedBy, int maxConsecutiveErrors)
      throws SQLException {
    return refresh(c, pgtId, initiatedBy, maxConsecutiveErrors, Requester.MANUAL);
  }

  /**
   * Like {@link #refresh(Connection, long, InitiatedBy, int)}, for a caller that has just read the
   * stream table and its storage ({@link RefreshTarget#load}) in a round trip of its own; in
   * autocommit the refresh starts from them instead of reading them again.
   */
  public RefreshOutcome refresh(
      Connection c, RefreshTarget target, InitiatedBy initiatedBy, int maxConsecutiveErrors)
      throws SQLException {
    if (!ServerTransaction.isOwn(c)) {
      return refresh(c, target.streamTable().pgtId(), initiatedBy, maxConsecutiveErrors);
    }
    return refreshInOwnTransaction(
        c, target, initiatedBy, maxConsecutiveErrors, Requester.MANUAL);
  }

  /**
   * Like {@link #refresh}, for the scheduler: returns empty at once, without recording anything,
   * when another transaction holds the stream table's refresh lock (a manual or scheduled refresh
   * of it is running), so a busy stream table is skipped instead of queued behind; and it leaves
   * the change-buffer cleanup to the caller ({@link #cleanUp}), which the scheduler does after its
   * pass, out of the way of the refreshes downstream.
   */
  public Optional<RefreshOutcome> refreshUnlessBusy(
      Connection c, long pgtId, InitiatedBy initiatedBy, int maxConsecutiveErrors)
      throws SQLException {
    return unlessBusy(
        () -> refresh(c, pgtId, initiatedBy, maxConsecutiveErrors, Requester.SCHEDULER));
  }

  /**
   * Like {@link #refreshUnlessBusy(Connection, long, InitiatedBy, int)}, in autocommit, for a
   * caller that has just read the stream table and its storage ({@link RefreshTarget#load}) in a
   * round trip of its own (the scheduler sends that read with its job journal).
   */
  public Optional<RefreshOutcome> refreshUnlessBusy(
      Connection c, RefreshTarget target, InitiatedBy initiatedBy, int maxConsecutiveErrors)
      throws SQLException {
    if (!ServerTransaction.isOwn(c)) {
      throw new IllegalStateException("a refresh from a target read ahead runs in autocommit");
    }
    return unlessBusy(
        () ->
            refreshInOwnTransaction(
                c, target, initiatedBy, maxConsecutiveErrors, Requester.SCHEDULER));
  }

  /** A refresh attempt of the scheduler, which skips a stream table another refresh holds. */
  private interface Attempt {
    RefreshOutcome run() throws SQLException;
  }

  private static Optional<RefreshOutcome> unlessBusy(Attempt attempt) throws SQLException {
    try {
      return Optional.of(attempt.run());
    } catch (RefreshRefusal refusal) {
      if (RefreshFailures.LOCK_NOT_AVAILABLE.equals(refusal.getSQLState())) {
        return Optional.empty();
      }
      throw refusal;
    }
  }

  /**
   * Deletes the change-buffer rows of the stream table's sources that every consumer has consumed,
   * in its own READ COMMITTED transaction; for callers that refreshed inside a REPEATABLE READ
   * transaction of their own, where {@link #refresh} leaves the cleanup to the next refresh. A
   * failure is reported as a warning on the connection, never thrown: the next refresh retries.
   * An IMMEDIATE stream table consumes no buffer, so there is nothing to clean up for it.
   *
   * @param c a connection in autocommit
   */
  public void cleanUp(Connection c, long pgtId) throws SQLException {
    StatementBatch batch = new StatementBatch();
    List<List<StreamTable>> found = new ArrayList<>(1);
    List<List<LiveSources.Source>> sources = new ArrayList<>(1);
    batch.add(StreamTableCatalog.findByIdQuery(pgtId), rs -> found.add(StreamTableCatalog.read(rs)));
    LiveSources.load(batch, pgtId, sources::add);
    batch.run(c);
    if (found.get(0).isEmpty()
        || found.get(0).get(0).spec().effectiveMode() == RefreshMode.IMMEDIATE) {
      return;
    }
    List<Long> captured =
        sources.get(0).stream()
            .filter(source -> source.dependency().kind().captured())
            .map(source -> source.dependency().sourceRelid())
            .toList();
    BufferCleanup.inOwnTransaction(c, found.get(0).get(0), captured);
  }

  private RefreshOutcome refresh(
      Connection c,
      long pgtId,
      InitiatedBy initiatedBy,
      int maxConsecutiveErrors,
      Requester requester)
      throws SQLException {
    return ServerTransaction.isOwn(c)
        ? refreshInOwnTransaction(
            c, pgtId, initiatedBy, maxConsecutiveErrors, requester)
        : refreshUnderSavepoint(
            c, pgtId, initiatedBy, maxConsecutiveErrors, requester);
  }

  /**
   * (Re)populates the stream table with a FULL recompute inside the current transaction, for create
   * and alter. Takes the same locks as a refresh and locks the captured sources in SHARE mode. A
   * failure is not recorded: the command that called this fails as a whole.
   */
  public RefreshOutcome populate(Connection c, long pgtId, RefreshAction action, String reason)
      throws SQLException {
    StreamTable st = load(c, pgtId);
    Relation storage =
        Relation.find(c, st.relid()).orElseThrow(() -> RefreshFailures.storageMissing(st));
    return newRun(st, InitiatedBy.MANUAL, Prologue.WhenBusy.WAIT)
        .run(
            c,
            storage,
            Optional.of(new RefreshDecision.Forced(action, reason)),
            RefreshRun.Transaction.CALLERS_LOCKING_SOURCES);
  }

  private RefreshOutcome refreshInOwnTransaction(
      Connection c,
      long pgtId,
      InitiatedBy initiatedBy,
      int maxConsecutiveErrors,
      Requester requester)
      throws SQLException {
    return refreshInOwnTransaction(
        c, target(c, pgtId), initiatedBy, maxConsecutiveErrors, requester);
  }

  /**
   * Runs attempts until one ends otherwise than with a refusal the engine retries ({@link
   * RefreshRefusal#retry}): a WAL-captured source found by a REPEATABLE READ attempt runs it again
   * READ COMMITTED; a change of the stream table by another transaction (an alter, a resume) that
   * committed while the attempt waited for its catalog row runs it again from the stream table as
   * it is now, at most {@link RefreshFailures#CONCURRENT_CHANGE_ATTEMPTS} times in all.
   */
  private RefreshOutcome refreshInOwnTransaction(
      Connection c,
      RefreshTarget target,
      InitiatedBy initiatedBy,
      int maxConsecutiveErrors,
      Requester requester)
      throws SQLException {
    boolean walReady = walCaptured.contains(target.streamTable().pgtId());
    int attempts = 0;
    while (true) {
      StreamTable st = target.streamTable();
      Relation storage =
          storageOrFail(c, st, target.storage(), initiatedBy, maxConsecutiveErrors);
      try {
        return refreshInOwnTransaction(
            c, st, storage, initiatedBy, maxConsecutiveErrors, requester, walReady);
      } catch (RefreshRefusal refusal) {
        switch (refusal.retry()) {
          case READ_COMMITTED -> {
            walCaptured.add(st.pgtId());
            walReady = true;
          }
          case NEW_SNAPSHOT -> {
            if (++attempts >= RefreshFailures.CONCURRENT_CHANGE_ATTEMPTS) {
              throw refusal;
            }
            target = target(c, st.pgtId());
          }
          default -> throw refusal;
        }
      }
    }
  }

  /** The stream table and its storage as they are now (in autocommit). */
  private static RefreshTarget target(Connection c, long pgtId) throws SQLException {
    StatementBatch batch = new StatementBatch();
    List<Optional<RefreshTarget>> found = new ArrayList<>(1);
    RefreshTarget.load(batch, String.valueOf(pgtId), found::add);
    batch.run(c);
    return found.get(0).orElseThrow(() -> undefined(pgtId));
  }

  /**
   * One attempt in a transaction of its own; {@code walReady}: READ COMMITTED, locking the
   * sources, so it can wait for WAL capture (else REPEATABLE READ, and a WAL-captured source
   * refuses it with {@link WalCapturedSources#retry}).
   */
  private RefreshOutcome refreshInOwnTransaction(
      Connection c,
      StreamTable st,
      Relation storage,
      InitiatedBy initiatedBy,
      int maxConsecutiveErrors,
      Requester requester,
      boolean walReady)
      throws SQLException {
    RefreshRun run = newRun(st, initiatedBy, requester.whenBusy);
    RefreshOutcome outcome;
    try (AutosaveOff autosaveOff = AutosaveOff.on(c)) {
      c.setAutoCommit(false);
      try {
        outcome =
            run.run(
                c,
                storage,
                Optional.empty(),
                requester.cleansUpAfter
                    ? RefreshRun.Transaction.OWN_AND_CLEAN_UP
                    : RefreshRun.Transaction.OWN,
                walReady);
        c.commit();
        if (walReady && !run.walCaptured()) {
          walCaptured.remove(st.pgtId());
        }
      } catch (RefreshRefusal refusal) {
        c.rollback();
        if (refusal.retry() != RefreshRefusal.Retry.NONE) {
          throw refusal;
        }
        throw OwnerRole.named(c, st, refusal);
      } catch (SQLException e) {
        c.rollback();
        recordFailure(c, st, run.progress(), e, initiatedBy, maxConsecutiveErrors);
        c.commit();
        throw e;
      } catch (RuntimeException | Error e) {
        rollbackAfter(c, e);
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
    if (run.cleanup().isPresent()) {
      BufferCleanup.after(c, st, run.cleanup().get());
    }
    return outcome;
  }

  private RefreshOutcome refreshUnderSavepoint(
      Connection c,
      long pgtId,
      InitiatedBy initiatedBy,
      int maxConsecutiveErrors,
      Requester requester)
      throws SQLException {
    boolean readCommitted =
        c.getTransactionIsolation() == Connection.TRANSACTION_READ_COMMITTED;
    StreamTable st = load(c, pgtId);
    Relation storage =
        storageOrFail(c, st, Relation.find(c, st.relid()), initiatedBy, maxConsecutiveErrors);
    RefreshRun run = newRun(st, initiatedBy, requester.whenBusy);
    NamedSavepoint savepoint = NamedSavepoint.set(c, SAVEPOINT);
    RefreshOutcome outcome;
    try {
      outcome =
          run.run(
              c,
              storage,
              Optional.empty(),
              readCommitted
                  ? RefreshRun.Transaction.CALLERS_LOCKING_SOURCES
                  : RefreshRun.Transaction.CALLERS);
      savepoint.release();
    } catch (RefreshRefusal refusal) {
      savepoint.rollback();
      throw OwnerRole.named(c, st, refusal);
    } catch (SQLException e) {
      savepoint.rollback();
      recordFailure(c, st, run.progress(), e, initiatedBy, maxConsecutiveErrors);
      throw e;
    } catch (RuntimeException | Error e) {
      savepoint.rollbackAfter(e);
      throw e;
    }
    if (requester.cleansUpAfter && readCommitted) {
      NamedSavepoint cleanup = NamedSavepoint.set(c, SAVEPOINT);
      try {
        String failures =
            Frontiers.cleanUp(
                    c, run.progress().capturedSources(), st.spec().effectiveMode(), false)
                .failures();
        cleanup.release();
        if (failures != null) {
          BufferCleanup.warnFailed(c, st, failures);
        }
      } catch (SQLException e) {
        cleanup.rollback();
        BufferCleanup.warnFailed(c, st, RefreshFailures.messageOf(e));
      }
    }
    return outcome;
  }

  /** The storage table, or a recorded permanent failure when it was dropped directly. */
  private Relation storageOrFail(
      Connection c,
      StreamTable st,
      Optional<Relation> storage,
      InitiatedBy initiatedBy,
      int maxConsecutiveErrors)
      throws SQLException {
    if (st.state().status() == StreamTableStatus.SUSPENDED) {
      throw RefreshFailures.suspended(st);
    }
    if (storage.isPresent()) {
      return storage.get();
    }
    SQLException missing = RefreshFailures.storageMissing(st);
    boolean own = ServerTransaction.isOwn(c);
    if (own) {
      c.setAutoCommit(false);
    }
    try {
      recordFailure(
          c, st, RefreshRun.Progress.NOT_STARTED, missing, initiatedBy, maxConsecutiveErrors);
    } finally {
      if (own) {
        c.setAutoCommit(true);
      }
    }
    throw missing;
  }

  private RefreshRun newRun(StreamTable st, InitiatedBy initiatedBy, Prologue.WhenBusy whenBusy) {
    return new RefreshRun(compiler, cleanupPacing, workTables, st, initiatedBy, whenBusy);
  }

  private static void recordFailure(
      Connection c,
      StreamTable st,
      RefreshRun.Progress progress,
      SQLException error,
      InitiatedBy initiatedBy,
      int maxConsecutiveErrors)
      throws SQLException {
    try {
      if (StreamTableCatalog.findById(c, st.pgtId()).isEmpty()) {
        return;
      }
      String message = RefreshFailures.messageOf(error);
      RefreshHistory.failed(
          c, st.pgtId(), progress.start(), progress.action(), message, progress.reason(),
          initiatedBy);
      StreamTableCatalog.recordFailure(
          c, st.pgtId(), message, RefreshFailures.isPermanent(error), maxConsecutiveErrors);
    } catch (SQLException e) {
      error.addSuppressed(e);
      throw error;
    }
  }

  /**
   * Rolls back the refresh's own transaction after an internal error, before the connection goes
   * back to autocommit (which would commit what was half done); a failure is added to {@code
   * cause}.
   */
  static void rollbackAfter(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private static StreamTable load(Connection c, long pgtId) throws SQLException {
    return StreamTableCatalog.findById(c, pgtId).orElseThrow(() -> undefined(pgtId));
  }

  private static SQLException undefined(long pgtId) {
    return SqlState.UNDEFINED_OBJECT.exception("stream table " + pgtId + " does not exist");
  }
}
