package dev.trickle.refresh;

import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTable;
import java.util.function.Consumer;

/**
 * How a refresh treats sources captured from the WAL (see {@link Prologue}): it finds out whether
 * the stream table has one, waits for the WAL consumer before its snapshot, and is refused where
 * it cannot wait.
 */
final class WalCapturedSources {
  /** How long a refresh waits for the WAL consumer before it fails (55000). */
  static final int WAIT_MILLIS = 30_000;

  private WalCapturedSources() {}

  /**
   * Whether a source of the stream table is captured from the WAL, and whether the transaction
   * had written before the refresh began.
   */
  record Found(boolean captured, boolean written) {}

  /**
   * Adds the query of what {@link Found} says; it must come before the refresh's own first write
   * (its row lock of the catalog row).
   */
  static void load(StatementBatch batch, long pgtId, Consumer<Found> found) {
    batch.add(
        "SELECT pgtrickle.wal_captured(" + pgtId + ") AS wal_captured,"
            + " pg_catalog.pg_current_xact_id_if_assigned() IS NOT NULL AS written",
        rs -> {
          rs.next();
          found.accept(new Found(rs.getBoolean("wal_captured"), rs.getBoolean("written")));
        });
  }

  /**
   * The refusal in a caller's transaction that has written already: its own changes reach the
   * WAL consumer only after it commits, so the refresh would miss them.
   */
  static RefreshRefusal afterWrites(StreamTable st) {
    return new RefreshRefusal(
        "stream table " + st.displayName() + " reads sources captured from the WAL and cannot be"
            + " refreshed in a transaction that has already written: its changes reach the change"
            + " buffers only after it commits; refresh it in autocommit or before the"
            + " transaction writes",
        SqlState.UNSUPPORTED.code());
  }

  /**
   * Adds the wait for the WAL consumer: after the statement that locks the sources, before the
   * one that takes the snapshot.
   */
  static void await(StatementBatch batch, long pgtId) {
    batch.add("SELECT pgtrickle.await_wal_capture(" + pgtId + ", " + WAIT_MILLIS + ")");
  }

  /**
   * The refusal a REPEATABLE READ refresh of its own gets on finding a WAL-captured source: the
   * engine runs it again READ COMMITTED ({@link RefreshRefusal.Retry#READ_COMMITTED}).
   */
  static RefreshRefusal retry(StreamTable st) {
    return new RefreshRefusal(
        "stream table " + st.displayName() + " reads sources captured from the WAL; its refresh"
            + " runs again READ COMMITTED",
        RETRY_STATE,
        RefreshRefusal.Retry.READ_COMMITTED);
  }

  /** The refusal in a caller's REPEATABLE READ or SERIALIZABLE transaction. */
  static RefreshRefusal refused(StreamTable st) {
    return new RefreshRefusal(
        "stream table " + st.displayName() + " reads sources captured from the WAL, and a refresh"
            + " in a REPEATABLE READ or SERIALIZABLE transaction cannot wait for their changes to"
            + " reach the change buffers; refresh it in autocommit or in a READ COMMITTED"
            + " transaction",
        SqlState.UNSUPPORTED.code());
  }

  /** Internal: never leaves the engine. */
  private static final String RETRY_STATE = "40001";
}
