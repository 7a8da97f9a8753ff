package dev.trickle.refresh;

import dev.trickle.catalog.Dependency;
import dev.trickle.catalog.ServerErrors;
import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTable;
import dev.trickle.sql.Sql;
import java.sql.SQLException;

/** The errors a refresh reports, and how a failure is classified. */
final class RefreshFailures {
  /** SQLState of {@code NOWAIT} lock failures, also used for {@link #busy}. */
  static final String LOCK_NOT_AVAILABLE = "55P03";

  private RefreshFailures() {}

  /** Another transaction is refreshing the stream table (or otherwise holds its storage lock). */
  static RefreshRefusal busy(StreamTable st) {
    return new RefreshRefusal(
        "stream table " + st.displayName() + " is being refreshed by another transaction",
        LOCK_NOT_AVAILABLE);
  }

  static SQLException storageMissing(StreamTable st) {
    return SqlState.UNDEFINED_OBJECT.exception(
        "the storage table of stream table "
            + st.displayName()
            + " no longer exists (dropped directly?); drop the stream table with"
            + " pgtrickle.drop_stream_table and create it again");
  }

  static SQLException dropped(StreamTable st) {
    return SqlState.UNDEFINED_OBJECT.exception(
        "stream table " + st.displayName() + " was dropped while its refresh was waiting");
  }

  static SQLException sourceMissing(StreamTable st, Dependency source) {
    return SqlState.UNDEFINED_OBJECT.exception(
        "source "
            + source.displayName()
            + " of stream table "
            + st.displayName()
            + " no longer exists (dropped or replaced); "
            + remedy(st));
  }

  /**
   * What to do about a query that no longer fits its sources: {@code change the query with
   * pgtrickle.alter_stream_table('s.st', query => '...'), or drop the stream table}.
   */
  static String remedy(StreamTable st) {
    return "change the query with pgtrickle.alter_stream_table("
        + Sql.literal(st.displayName())
        + ", query => '...'), or drop the stream table";
  }

  static RefreshRefusal suspended(StreamTable st) {
    return new RefreshRefusal(
        "stream table "
            + st.displayName()
            + " is suspended; resume it with pgtrickle.resume_stream_table("
            + Sql.literal(st.displayName())
            + ") before refreshing",
        SqlState.OBJECT_STATE.code());
  }

  /**
   * The refusal in the caller's REPEATABLE READ or SERIALIZABLE transaction when the catalog row
   * changed after its snapshot: a refresh committed since (the frontier would move backwards), or
   * an alter or resume.
   */
  static RefreshRefusal staleSnapshot(StreamTable st) {
    return new RefreshRefusal(
        "the transaction's snapshot is older than the last refresh or change of stream table "
            + st.displayName()
            + "; refresh it in a new transaction",
        SqlState.OBJECT_STATE.code());
  }

  /** How often a refresh of its own starts again after {@link #changedConcurrently}. */
  static final int CONCURRENT_CHANGE_ATTEMPTS = 3;

  /**
   * The refusal in the refresh's own REPEATABLE READ transaction when another transaction changed
   * the catalog row after the refresh's snapshot: an alter (of the schedule or another setting that
   * leaves the storage table alone) or a resume, committed while the refresh waited for the row
   * lock. Another refresh cannot be the cause: the storage lock, taken before the snapshot,
   * queues refreshes. The engine runs the refresh again in a new transaction, whose snapshot sees
   * the change ({@link RefreshRefusal.Retry#NEW_SNAPSHOT}); only after {@link
   * #CONCURRENT_CHANGE_ATTEMPTS} attempts in a row does the refusal reach the caller.
   */
  static RefreshRefusal changedConcurrently(StreamTable st) {
    return new RefreshRefusal(
        "stream table "
            + st.displayName()
            + " was changed by another transaction (pgtrickle.alter_stream_table or"
            + " pgtrickle.resume_stream_table) while its refresh waited to start, "
            + CONCURRENT_CHANGE_ATTEMPTS
            + " times in a row; retry the refresh",
        SqlState.SERIALIZATION_FAILURE.code(),
        RefreshRefusal.Retry.NEW_SNAPSHOT);
  }

  static SQLException shapeChanged(StreamTable st) {
    return new SQLException(
        "the defining query of stream table "
            + st.displayName()
            + " now returns other columns than its storage table has (a source column changed?);"
            + " re-create the stream table or change its query with pgtrickle.alter_stream_table",
        "42804");
  }

  /**
   * Permanent failures put the stream table in ERROR: the query no longer fits the database
   * (SQLState class 42: missing relation, column or function, type mismatch). Everything else may
   * pass (data, locks, resources) and counts towards suspension.
   */
  static boolean isPermanent(SQLException e) {
    String state = e.getSQLState();
    return state != null && state.startsWith("42");
  }

  /** The server's message without PgJDBC's decorations, for the catalog and history. */
  static String messageOf(SQLException e) {
    return ServerErrors.message(e);
  }
}
