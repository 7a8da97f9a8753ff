package dev.trickle.refresh;

import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The statements that let a small refresh commit in its first round trip. A refresh that repeats
 * the last small batch of a stream table on a connection ({@link SmallBatches.Applied#repeats})
 * sends the delta fill, the program and its closing statements, {@code COMMIT} included, with its
 * first statements. What the client would check between two round trips is checked on the server
 * instead, by the report of the fill ({@link #confirmingReport}):
 *
 * <ul>
 *   <li>the transaction's reads digest to what the repeated refresh read ({@link ReadDigest}): the
 *       same catalog row, sources, storage, frontier rows, start check and work tables, so the
 *       definition, the compilation and the work tables the program assumes are the current ones;
 *   <li>no source was truncated; either no source changed, or exactly the sources the program was
 *       sent for changed, by fewer than {@link SmallBatches#BOUND} rows in all.
 * </ul>
 *
 * Otherwise {@code pgtrickle.confirm_ahead} raises SQLSTATE {@value #DECLINED}: the transaction
 * aborts with nothing written or recorded, and the engine runs the refresh again in two round
 * trips. The closing statements read what the client used to send as values from the
 * transaction's settings: the frontier and its time ({@link Frontiers#take}), whether anything changed, and the rows the program wrote to the storage table, from
 * the transaction's own statistics counters before and after it.
 */
final class RefreshInOneRoundTrip {
  /** The SQLSTATE of {@code pgtrickle.confirm_ahead}: what the batch assumed does not hold. */
  static final String DECLINED = "TR001";

  private static final String ACTION = "pg_catalog.current_setting('pgtrickle.ahead_action')";
  private static final String WRITES_BEFORE = "pg_catalog.current_setting('pgtrickle.storage_writes')";

  private RefreshInOneRoundTrip() {}

  /**
   * Wraps the fill's report ({@link DeltaTables.Report}, columns {@code rows_<i>}, {@code
   * truncated_<i>}, {@code digest}) so that it raises unless what it found is what the batch
   * assumed, and keeps the action and the storage's write counters for the closing statements.
   *
   * @param sources the sources of the report, in its order
   * @param expected the sources the program was sent for
   * @param digest the digest of the reads of the refresh repeated
   * @param storageRelid the storage table
   */
  static String confirmingReport(
      String report, List<Long> sources, Set<Long> expected, String digest, long storageRelid) {
    List<String> rows = new ArrayList<>();
    List<String> truncated = new ArrayList<>();
    List<String> changedAsSent = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      rows.add("r." + DeltaTables.Report.rowsColumn(i));
      truncated.add("r." + DeltaTables.Report.truncatedColumn(i));
      changedAsSent.add("(" + rows.get(i) + " > 0) = " + expected.contains(sources.get(i)));
    }
    String total = "(" + String.join(" + ", rows) + ")";
    String sameReads = "r." + DeltaTables.Report.DIGEST_COLUMN + " = " + Sql.literal(digest);
    String noTruncation = "NOT (" + String.join(" OR ", truncated) + ")";
    String asSent =
        "(" + total + " = 0 OR (" + total + " < " + SmallBatches.BOUND + " AND "
            + String.join(" AND ", changedAsSent) + "))";
    String what =
        "CASE WHEN NOT " + sameReads + " THEN 'the catalog, the sources or the work tables changed'"
            + " WHEN NOT " + noTruncation + " THEN 'a source was truncated'"
            + " ELSE 'other sources or more rows changed' END";
    return "SELECT r.*, pgtrickle.confirm_ahead(" + sameReads + " AND " + noTruncation + " AND "
        + asSent + ", " + what + "), pg_catalog.set_config('pgtrickle.ahead_action', CASE WHEN " + total
        + " = 0 THEN 'NO_DATA' ELSE 'DIFFERENTIAL' END, true), pg_catalog.set_config("
        + "'pgtrickle.storage_writes', " + inserted(storageRelid) + " || ',' || "
        + deleted(storageRelid) + ", true) FROM (" + report + ") AS r";
  }

  /**
   * Adds the closing statement after the program: it stores the frontier and records success and
   * history (raising, should the program have written rows where no source changed), in
   * data-modifying CTEs; the caller's {@code COMMIT} follows. It does not leave maintenance first:
   * the settings that entered it are local to the transaction, which the commit ends, and it writes
   * nothing the storage's guard trigger watches.
   *
   * @param sources the captured sources, whose frontiers are stored
   * @param stored the frontier rows, as the refresh repeated found them (the digest confirms them)
   */
  static void addClosing(
      StatementBatch batch,
      long pgtId,
      long storageRelid,
      List<Long> sources,
      Frontiers.Stored stored,
      InitiatedBy by) {
    StringBuilder writes = new StringBuilder("WITH ");
    List<String> frontiers = Frontiers.storeTaken(pgtId, sources, stored);
    for (int i = 0; i < frontiers.size(); i++) {
      writes.append("frontiers_").append(i).append(" AS (").append(frontiers.get(i)).append("), ");
    }
    String id = Long.toString(pgtId);
    batch.add(
        writes
            + "success AS ("
            + StreamTableCatalog.recordSuccess(Frontiers.TAKEN_AT, id)
            + ") "
            + RefreshHistory.INSERT_INTO
            + " SELECT " + id + ", " + Frontiers.TAKEN_AT + ", pg_catalog.clock_timestamp(), w.action,"
            + " 'COMPLETED', w.inserted, w.deleted, NULL, NULL, " + Sql.literal(by.name())
            + " FROM (SELECT " + ACTION + " AS action, " + insertedSinceReport(storageRelid)
            + " AS inserted, " + deletedSinceReport(storageRelid) + " AS deleted) AS w WHERE pgtrickle.confirm_ahead(w.action ="
            + " 'DIFFERENTIAL' OR w.inserted + w.deleted = 0,"
            + " 'the program wrote rows although no source changed')");
  }

  /** Rows inserted into the storage table since the confirming report read its counters. */
  static String insertedSinceReport(long storageRelid) {
    return inserted(storageRelid) + " - pg_catalog.split_part(" + WRITES_BEFORE + ", ',', 1)::bigint";
  }

  /** Rows deleted from the storage table since the confirming report read its counters. */
  static String deletedSinceReport(long storageRelid) {
    return deleted(storageRelid) + " - pg_catalog.split_part(" + WRITES_BEFORE + ", ',', 2)::bigint";
  }

  /** Rows this transaction inserted into the relation so far (subtransactions included). */
  private static String inserted(long relid) {
    return "pg_catalog.pg_stat_get_xact_tuples_inserted(" + relid + "::oid)";
  }

  /** Rows this transaction deleted from the relation so far. */
  private static String deleted(long relid) {
    return "pg_catalog.pg_stat_get_xact_tuples_deleted(" + relid + "::oid)";
  }
}
