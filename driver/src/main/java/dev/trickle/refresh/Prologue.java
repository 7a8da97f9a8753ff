package dev.trickle.refresh;

import dev.trickle.catalog.RefreshMode;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTable;
import dev.trickle.catalog.StreamTableCatalog;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a refresh reads before it decides, under its locks, in its first round trip (two when it
 * locks the sources, whose lock must come before the snapshot): in a transaction of its own it
 * first makes it REPEATABLE READ; it locks the storage table ({@code SHARE UPDATE EXCLUSIVE}: it
 * conflicts with itself, so refreshes of one stream table queue up, but not with readers or
 * writers; {@code LOCK TABLE} takes no snapshot, so a REPEATABLE READ refresh gets its snapshot
 * only after the previous refresh committed; only roles with rights on the storage can take it;
 * {@code NOWAIT} for the scheduler, which skips a busy stream table); re-reads the catalog row
 * under a row lock (every refresh updates that row, so in the caller's REPEATABLE READ
 * transaction whose snapshot is older than the last refresh it fails, 40001, and the refresh is
 * refused instead of moving the frontier backwards; in the refresh's own transaction, where the
 * storage lock queued the refreshes before the snapshot, only an alter or resume that committed
 * while the refresh waited for the row can cause it, and the engine starts the refresh again,
 * {@link RefreshFailures#changedConcurrently}); reads the sources and the storage table; takes the frontier snapshot, sets
 * the stream table's {@code search_path}, finds the owner's executor ({@link OwnerExecutor}) and
 * reads the planner's page costs ({@link PageCosts}) in one statement; reads the stored frontiers
 * and the session's work tables.
 *
 * <p>When a source is captured from the WAL ({@code pgtrickle.wal_captured}) the snapshot must
 * wait for the WAL consumer: the refresh runs READ COMMITTED, locks the captured sources in SHARE
 * mode (no writer is in progress and none starts), then {@code pgtrickle.await_wal_capture} waits
 * until the consumer has committed every change that committed before, so the snapshot taken
 * after it sees each source and its complete buffer. A refresh that opened a REPEATABLE READ
 * transaction before it knew is refused with {@link WalCapturedSources#retry} and run again READ
 * COMMITTED; one in the caller's REPEATABLE READ transaction cannot wait and is refused.
 *
 * @param streamTable the catalog row as locked
 * @param sources the sources as the catalog records them and as they are now
 * @param storage the storage table now
 * @param captured the sources whose change buffers the refresh consumes, in catalog order: none
 *     for an IMMEDIATE stream table, whose triggers maintain it without the buffers (its sources
 *     may have none, {@code SourceCapture}), so it keeps no frontier
 * @param snapshot the new frontier and when it was taken
 * @param frontiers the stored frontier rows
 * @param callerSearchPath the {@code search_path} the refresh replaced, restored at its end
 * @param executor the owner's executor, qualified
 * @param pageCosts the planner's page costs of the session ({@link PageCosts})
 * @param temps the session's work tables
 * @param walCaptured a source is captured from the WAL (the refresh waited for the consumer)
 */
record Prologue(
    StreamTable streamTable,
    List<LiveSources.Source> sources,
    StorageRelation storage,
    List<Relation> captured,
    Frontiers.Snapshot snapshot,
    Frontiers.Stored frontiers,
    String callerSearchPath,
    String executor,
    PageCosts pageCosts,
    SessionTempTables temps,
    boolean walCaptured) {

  /** Whether the refresh waits for another refresh of the stream table or gives up at once. */
  enum WhenBusy {
    WAIT,
    /** Refuse with {@link RefreshFailures#busy} (the scheduler skips the stream table). */
    SKIP
  }

  /** The oids of the captured sources. */
  List<Long> capturedIds() {
    return captured.stream().map(Relation::relid).toList();
  }

  /**
   * How the first round trip is built and its failures reported.
   *
   * @param workTables what the engine remembers of the work tables it created on each connection
   */
  record Reading(
      StreamTable st, Relation storage, WhenBusy whenBusy, SessionTempTables.Memory workTables) {
    /**
     * Reads it all.
     *
     * @param ownTransaction the refresh opened the transaction: it is made REPEATABLE READ, or
     *     READ COMMITTED when {@code walReady}
     * @param lockSources lock the captured sources in SHARE mode before the snapshot (a caller's
     *     READ COMMITTED transaction, where every statement has a snapshot of its own)
     * @param walReady the refresh's own transaction is READ COMMITTED and locks its sources, so it
     *     can wait for the WAL consumer
     * @param recompute the refresh recomputes whatever it reads (create, alter): it reads no
     *     buffer, so it need not wait for the WAL consumer (a change that reaches a buffer later
     *     is visible in its frontier, already in the content)
     */
    Prologue read(
        Connection c,
        boolean ownTransaction,
        boolean lockSources,
        boolean walReady,
        boolean recompute)
        throws SQLException {
      Parts parts = new Parts();
      StatementBatch batch = new StatementBatch();
      boolean waitable = ownTransaction ? walReady : lockSources;
      lockSources = lockSources || (ownTransaction && walReady);
      if (ownTransaction) {
        batch.add(
            "SET TRANSACTION ISOLATION LEVEL " + (walReady ? "READ COMMITTED" : "REPEATABLE READ"));
      }
      batch.add(
          "LOCK TABLE " + storage.qualifiedName() + " IN SHARE UPDATE EXCLUSIVE MODE"
              + (whenBusy == WhenBusy.SKIP ? " NOWAIT" : ""));
      WalCapturedSources.load(batch, st.pgtId(), found -> parts.wal = found);
      batch.add(
          StreamTableCatalog.lockByIdQuery(st.pgtId()),
          rs -> parts.locked = StreamTableCatalog.read(rs));
      LiveSources.load(batch, st.pgtId(), sources -> parts.sources = sources);
      StorageRelation.load(batch, storage.relid(), found -> parts.storage = found);
      if (!lockSources) {
        addAtSnapshot(batch, c, parts);
      }
      send(c, batch, ownTransaction);
      if (parts.locked.isEmpty()) {
        throw RefreshFailures.dropped(st);
      }
      StreamTable locked = parts.locked.get(0);
      boolean buffered = locked.spec().effectiveMode() != RefreshMode.IMMEDIATE;
      parts.walCaptured = parts.wal.captured() && !recompute && buffered;
      if (parts.walCaptured && !waitable) {
        throw ownTransaction ? WalCapturedSources.retry(locked) : WalCapturedSources.refused(locked);
      }
      if (parts.walCaptured && !ownTransaction && parts.wal.written()) {
        throw WalCapturedSources.afterWrites(locked);
      }
      Optional<SQLException> drift = SourceDrift.of(locked, parts.sources);
      if (drift.isPresent()) {
        throw drift.get();
      }
      List<Relation> lockable = new ArrayList<>();
      for (LiveSources.Source source : parts.sources) {
        if (source.dependency().kind().captured()) {
          lockable.add(source.relation().get());
        }
      }
      List<Relation> captured = buffered ? lockable : List.of();
      if (parts.storage.isEmpty()) {
        throw RefreshFailures.storageMissing(locked);
      }
      if (lockSources) {
        StatementBatch atSnapshot = new StatementBatch();
        if (!lockable.isEmpty()) {
          atSnapshot.add(
              "LOCK TABLE "
                  + lockable.stream().map(Relation::qualifiedName).collect(Collectors.joining(", "))
                  + " IN SHARE MODE");
        }
        if (parts.walCaptured) {
          WalCapturedSources.await(atSnapshot, st.pgtId());
        }
        addAtSnapshot(atSnapshot, c, parts);
        send(c, atSnapshot, ownTransaction);
      }
      return new Prologue(
          locked, parts.sources, parts.storage.get(), List.copyOf(captured), parts.snapshot,
          parts.frontiers, parts.callerSearchPath, parts.executor, parts.pageCosts, parts.temps,
          parts.walCaptured);
    }

    /**
     * The reads that must see the frontier snapshot: the statement taking it also sets the stream
     * table's {@code search_path} (the caller's is read in a subquery that runs first) and finds
     * the owner's executor.
     */
    private void addAtSnapshot(StatementBatch batch, Connection c, Parts parts) {
      Frontiers.take(
          batch,
          "caller.search_path AS caller_search_path, pg_catalog.set_config('search_path',"
              + " (SELECT search_path FROM pgtrickle.pgt_stream_tables WHERE pgt_id = "
              + st.pgtId() + "), true), " + OwnerExecutor.find(storage.relid()) + " AS executor, "
              + PageCosts.COLUMNS,
          "(SELECT pg_catalog.current_setting('search_path') AS search_path OFFSET 0) AS caller",
          snapshot -> parts.snapshot = snapshot,
          rs -> {
            parts.callerSearchPath = rs.getString("caller_search_path");
            parts.executor = rs.getString("executor");
            parts.pageCosts =
                new PageCosts(rs.getString("random_page_cost"), rs.getString("seq_page_cost"));
          });
      Frontiers.read(batch, st.pgtId(), frontiers -> parts.frontiers = frontiers);
      SessionTempTables.load(batch, c, st.pgtId(), workTables, temps -> parts.temps = temps);
    }

    /** Runs a round trip of the prologue, turning its failures into what the engine expects. */
    private void send(Connection c, StatementBatch batch, boolean ownTransaction)
        throws SQLException {
      try {
        batch.run(c);
      } catch (SQLException e) {
        if (whenBusy == WhenBusy.SKIP && RefreshFailures.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
          throw RefreshFailures.busy(st);
        }
        if (SqlState.SERIALIZATION_FAILURE.code().equals(e.getSQLState())) {
          throw ownTransaction
              ? RefreshFailures.changedConcurrently(st)
              : RefreshFailures.staleSnapshot(st);
        }
        throw OwnerRole.refusedOrSame(st, e);
      }
    }
  }

  /** The reads as the round trip's readers deliver them. */
  private static final class Parts {
    private List<StreamTable> locked;
    private List<LiveSources.Source> sources;
    private Optional<StorageRelation> storage;
    private Frontiers.Snapshot snapshot;
    private Frontiers.Stored frontiers;
    private String callerSearchPath;
    private String executor;
    private PageCosts pageCosts;
    private SessionTempTables temps;
    private WalCapturedSources.Found wal;
    private boolean walCaptured;
  }
}
