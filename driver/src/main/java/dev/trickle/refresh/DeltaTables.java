package dev.trickle.refresh;

import dev.trickle.capture.ChangeBuffer;
import dev.trickle.catalog.Column;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Materializes the changes a refresh consumes. For a source with buffer {@code B}, old frontier
 * {@code F0} and new frontier {@code F1}, the consumed rows are those with {@code
 * pg_visible_in_snapshot(__pgt_xid, F1) AND NOT pg_visible_in_snapshot(__pgt_xid, F0)}: committed
 * by the time of the new snapshot and not yet by the time of the previous one; plus the rows the
 * transaction that took {@code F0} wrote after that refresh ({@code own_xid}, {@code own_seq} of
 * {@code pgtrickle.pgt_frontiers}). This is defined by transaction visibility, not by sequence
 * numbers, so a transaction that commits out of order is consumed exactly once: by the first
 * refresh whose snapshot sees it.
 *
 * <p>Each captured source gets {@code pg_temp."__pgt_delta_<oid>"} with the buffer's columns plus
 * {@code __pgt_w int} (+1 for an inserted image, -1 for a deleted one, 0 for a truncation marker,
 * whose columns are NULL), a session work table ({@link SessionTempTables}), netted per row version
 * ({@link NettedChanges}: a version written and removed again is never evaluated): the fill scans
 * the buffer once, and the row counts of its statements say how many rows each source changed and
 * whether it was truncated. A truncation makes the refresh FULL, so no program ever applies a
 * marker. The statements read the frontiers on the server, never as values from the client.
 */
public final class DeltaTables {
  /** No statement checks whether the source's changes cancel on the columns the query reads. */
  private static final int NOT_CHECKED = -1;

  private DeltaTables() {}

  /** {@code pg_temp."__pgt_delta_<oid>"}. */
  public static String qualifiedName(long sourceRelid) {
    return "pg_temp." + Sql.identifier("__pgt_delta_" + sourceRelid);
  }

  /**
   * True when any of the sources has consumable changes (a truncate marker included), or the
   * cleanup deleted changes of one that stream table {@code pgtId} had not seen ({@code
   * pgtrickle.pgt_missed_changes}, kept for FULL stream tables): one query.
   */
  static boolean anyPending(Connection c, long pgtId, List<Long> sources) throws SQLException {
    if (sources.isEmpty()) {
      return false;
    }
    List<String> exists = new ArrayList<>();
    exists.add("EXISTS (SELECT 1 FROM pgtrickle.pgt_missed_changes WHERE pgt_id = " + pgtId + ")");
    for (long source : sources) {
      exists.add("EXISTS (SELECT 1" + consumable(pgtId, source, "") + ")");
    }
    StatementBatch batch = new StatementBatch();
    batch.add("SELECT " + String.join(" OR ", exists));
    return "t".equals(batch.run(c).lastRow().get(0));
  }

  /**
   * The buffer rows the refresh of stream table {@code pgtId} would consume from each of {@code
   * sources}, counted without decoding them (one query): the batch before the delta tables are
   * filled, for a refresh that may recompute instead ({@link RefreshDecision}). At least the delta
   * rows the fill would write (versions that cancel are counted too); a truncation counts as a
   * row.
   */
  static List<SourceChanges> consumableRows(Connection c, long pgtId, List<Long> sources)
      throws SQLException {
    if (sources.isEmpty()) {
      return List.of();
    }
    List<String> counts = new ArrayList<>();
    for (long source : sources) {
      counts.add("(SELECT count(*)" + consumable(pgtId, source, "") + ")");
    }
    StatementBatch batch = new StatementBatch();
    batch.add("SELECT " + String.join(", ", counts));
    List<String> row = batch.run(c).lastRow();
    List<SourceChanges> batchRows = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      batchRows.add(new SourceChanges(sources.get(i), Long.parseLong(row.get(i)), false));
    }
    return batchRows;
  }

  /**
   * The statements that fill the delta table of every source of stream table {@code pgtId} and
   * count what each consumed, as a batch for the owner's executor ({@link OwnerExecutor}): the fill
   * evaluates no user code, but the work tables must be the owner's, as the program that reads them
   * runs as the owner. The tables are session work tables ({@link SessionTempTables}), emptied by
   * each fill. The statements read both frontiers on the server (the new one from {@link
   * Frontiers#take}, the old ones from {@code pgtrickle.pgt_frontiers}), so their texts stay the
   * same from one refresh to the next, and the batch is planned once per session ({@link
   * StatementBatch#plannedOncePerSession}): planning the netting query on every refresh cost about
   * as much as a 10-row refresh's work ({@code docs/benchmarks/refresh-path.md}).
   *
   * <p>What a source consumed is read from row counts, not from a query: the fill's count is the
   * rows it wrote, and a second statement deletes the truncation markers (weight 0) again and
   * counts them. A marker makes the refresh FULL, which reads no delta table, so it need not stay.
   * The delta of a source in {@code checkable} (with the columns the query reads from it) is
   * emptied, and counted as cancelled, when its changes cancel on those columns ({@link
   * UnreadChanges}). The delta of a source in {@code lookups} is indexed on each of its column
   * lists, which the program looks up by equality once per candidate row ({@link
   * PlanDescription#deltaLookups()}).
   */
  static Fill fill(
      long pgtId,
      List<StreamTableDefinition.Source> sources,
      SessionTempTables temps,
      Map<Long, List<Column>> checkable,
      Map<Long, Set<List<String>>> lookups) {
    StatementBatch batch = new StatementBatch().plannedOncePerSession();
    List<Counted> counted = new ArrayList<>();
    for (StreamTableDefinition.Source source : sources) {
      String query =
          NettedChanges.query(
              source.columns(), consumable(pgtId, source.relid(), rowImage(source)));
      int first = batch.size();
      for (String statement : temps.fill(source.deltaTable(), shape(source), query, lookups.getOrDefault(source.relid(), Set.of()))) {
        batch.add(statement);
      }
      int last = batch.size();
      int markers = batch.add("DELETE FROM " + source.deltaTable() + " WHERE \"__pgt_w\" = 0");
      List<Column> read = checkable.get(source.relid());
      int cancelled =
          read == null
              ? NOT_CHECKED
              : batch.add(UnreadChanges.emptyIfCancelled(source.deltaTable(), read));
      counted.add(new Counted(source.relid(), first, last, markers, cancelled));
    }
    return new Fill(batch, List.copyOf(counted));
  }

  /**
   * Where a source's counts are in a fill's result.
   *
   * @param sourceRelid the source
   * @param firstFill the index of the first statement of its fill
   * @param endFill the index after the last statement of its fill
   * @param markers the index of the statement deleting its truncation markers
   * @param cancelled the index of the statement emptying its delta when it cancels on the columns
   *     the query reads, or {@link #NOT_CHECKED}
   */
  private record Counted(long sourceRelid, int firstFill, int endFill, int markers, int cancelled) {
    /**
     * What the source consumed. Of the fill's statements (an emptying, the insert or a {@code
     * CREATE TABLE AS}, an {@code ANALYZE}) only the one writing the rows has a row count.
     */
    SourceChanges read(StatementBatch.Result result) {
      long written = 0;
      for (int i = firstFill; i < endFill; i++) {
        written = Math.max(written, result.count(i));
      }
      long truncations = result.count(markers);
      long removed = cancelled == NOT_CHECKED ? 0 : result.count(cancelled);
      return new SourceChanges(
          sourceRelid, written - truncations - removed, truncations > 0, removed);
    }
  }

  /**
   * A delta fill: its statements, and how to read what each source consumed from their result.
   *
   * @param batch the statements
   * @param counted where each source's counts are, in the sources' order
   */
  record Fill(StatementBatch batch, List<Counted> counted) {
    /** What each source consumed, read from the row counts of {@link #batch}'s statements. */
    List<SourceChanges> changes(StatementBatch.Result result) {
      List<SourceChanges> read = new ArrayList<>(counted.size());
      for (Counted source : counted) {
        read.add(source.read(result));
      }
      return List.copyOf(read);
    }
  }

  /** What fixes the columns of a source's delta table: its buffer and the buffer's columns. */
  private static String shape(StreamTableDefinition.Source source) {
    return new ChangeBuffer(source.relid()).qualifiedTable() + source.columns();
  }

  /**
   * {@code FROM} and {@code WHERE} of the rows ({@code b}, with {@code rowImage} joined) of a
   * source's buffer that the refresh consumes: committed by the new frontier ({@link
   * Frontiers#NEW_FRONTIER}) and not consumed by stream table {@code pgtId}'s stored one, the
   * condition of {@code pgtrickle.unconsumed} written out (the engine fills only when the stored
   * frontier is not null). Each stored value is a scalar subquery used once, evaluated once per
   * statement: with a join, the planner, trusting a buffer's statistics from its last {@code
   * VACUUM} (taken right after a cleanup emptied it), probed the frontier's index once per buffer
   * row; and {@code unconsumed} given subqueries is not inlined (it uses its arguments twice), but
   * called once per buffer row.
   */
  private static String consumable(long pgtId, long sourceRelid, String rowImage) {
    return " FROM " + new ChangeBuffer(sourceRelid).qualifiedTable() + " AS b" + rowImage
        + " WHERE pg_visible_in_snapshot(b.__pgt_xid, " + Frontiers.NEW_FRONTIER + ")"
        + " AND (NOT pg_visible_in_snapshot(b.__pgt_xid, " + stored("frontier", pgtId, sourceRelid)
        + ") OR (b.__pgt_xid = " + stored("own_xid", pgtId, sourceRelid)
        + " AND b.__pgt_seq > " + stored("coalesce(own_seq, 0)", pgtId, sourceRelid) + "))";
  }

  /**
   * The joins that read a buffer row ({@code b}) as the source's columns {@code r}, by name and with
   * their types now. A row written by the typed capture has its values in the buffer's typed
   * columns ({@link StreamTableDefinition.Source#typedColumns}), cast to the column's type now (the
   * buffer's drop typmods and domains); a row written as a json image ({@code b.__pgt_row}: the
   * fallback of the capture and of the WAL consumer after a schema change) is decoded with {@code
   * json_to_record}, where a column the image lacks (added since) is null and a key the columns
   * lack (dropped since) is ignored. The decoding is a subquery that a typed row skips without
   * calling the function (its condition is a one-time filter, kept there by {@code OFFSET 0});
   * {@code r} is a select list the planner folds into the statement. Nothing when the source has
   * no columns.
   */
  private static String rowImage(StreamTableDefinition.Source source) {
    List<Column> columns = source.columns();
    if (columns.isEmpty()) {
      return "";
    }
    List<String> values = new ArrayList<>();
    for (Column col : columns) {
      String name = Sql.identifier(col.name());
      String typed = source.typedColumns().get(col.name());
      values.add(
          (typed == null
                  ? "j." + name
                  : "CASE WHEN b." + ChangeBuffer.ROW_COLUMN + " IS NULL THEN b."
                      + Sql.identifier(typed) + "::" + col.type() + " ELSE j." + name + " END")
              + " AS " + name);
    }
    return " LEFT JOIN LATERAL (SELECT * FROM pg_catalog.json_to_record(b." + ChangeBuffer.ROW_COLUMN
        + ") AS j("
        + columns.stream()
            .map(col -> Sql.identifier(col.name()) + " " + col.type())
            .collect(Collectors.joining(", "))
        + ") WHERE b." + ChangeBuffer.ROW_COLUMN + " IS NOT NULL OFFSET 0) AS j ON true"
        + " CROSS JOIN LATERAL (SELECT " + String.join(", ", values) + ") AS r";
  }

  /**
   * {@code value} of the stored frontier row of stream table {@code pgtId} and a source, as a scalar
   * subquery.
   */
  private static String stored(String value, long pgtId, long sourceRelid) {
    return "(SELECT " + value + " FROM pgtrickle.pgt_frontiers WHERE pgt_id = " + pgtId
        + " AND source_relid = " + sourceRelid + ")";
  }
}
