package dev.trickle.refresh;

import dev.trickle.capture.ChangeBuffer;
import dev.trickle.catalog.Column;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
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
 * the buffer once, and the report finds both the changes and any truncation in the small delta
 * table. A truncation makes the refresh FULL, so no program ever applies a marker (one sent ahead
 * is rolled back). The statements read the frontiers on the server, never as values from the
 * client.
 */
public final class DeltaTables {
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
   * Whether {@link #fill} would only refill kept work tables (no creation, truncation or {@code
   * ANALYZE}), so it can go to the server before the refresh has read the session's tables.
   */
  static boolean refillsOnly(
      List<StreamTableDefinition.Source> sources, SessionTempTables temps) {
    return sources.stream().allMatch(source -> temps.refills(source.deltaTable(), shape(source)));
  }

  /**
   * Adds the statements that fill the delta table of every source of stream table {@code pgtId},
   * and a report of what each consumed, to {@code batch}; the report is known once the batch has
   * run. The tables are session work tables ({@link SessionTempTables}), emptied by each fill. The
   * statements read both frontiers on the server (the new one from {@link Frontiers#take}, the old
   * ones from {@code pgtrickle.pgt_frontiers}), so their texts stay the same from one refresh to the
   * next and they can go in the round trip that takes the new frontier. The report's row ends with
   * the digest of the transaction's reads ({@link ReadDigest#CURRENT}).
   */
  static Report fill(
      StatementBatch batch,
      long pgtId,
      List<StreamTableDefinition.Source> sources,
      SessionTempTables temps) {
    Report filled = fillOnly(batch, pgtId, sources, temps);
    filled.addTo(batch);
    return filled;
  }

  /**
   * Like {@link #fill}, with the report's query wrapped by {@code confirm} (which keeps its
   * columns first): for a refresh that confirms on the server what it assumed ({@link
   * RefreshInOneRoundTrip}). The report's columns are named {@code rows_<i>} and {@code
   * truncated_<i>} for the {@code i}-th source, and {@code digest}.
   */
  static Report fill(
      StatementBatch batch,
      long pgtId,
      List<StreamTableDefinition.Source> sources,
      SessionTempTables temps,
      UnaryOperator<String> confirm) {
    Report filled = fillOnly(batch, pgtId, sources, temps);
    filled.addTo(batch, confirm);
    return filled;
  }

  private static Report fillOnly(
      StatementBatch batch,
      long pgtId,
      List<StreamTableDefinition.Source> sources,
      SessionTempTables temps) {
    List<String> report = new ArrayList<>();
    for (StreamTableDefinition.Source source : sources) {
      String query =
          NettedChanges.query(
              source.columns(), consumable(pgtId, source.relid(), rowImage(source.columns())));
      for (String statement : temps.fill(source.deltaTable(), shape(source), query)) {
        batch.add(statement);
      }
      int i = report.size();
      report.add(
          "(SELECT count(*) FILTER (WHERE \"__pgt_w\" <> 0) AS " + Report.rowsColumn(i)
              + ", coalesce(bool_or(\"__pgt_w\" = 0), false) AS " + Report.truncatedColumn(i)
              + " FROM " + source.deltaTable() + ") AS d" + i);
    }
    return new Report(
        sources.stream().map(StreamTableDefinition.Source::relid).toList(),
        "SELECT *, " + ReadDigest.CURRENT + " AS " + Report.DIGEST_COLUMN + " FROM "
            + String.join(", ", report));
  }

  /** What fixes the columns of a source's delta table: its buffer and the buffer's columns. */
  private static String shape(StreamTableDefinition.Source source) {
    return new ChangeBuffer(source.relid()).qualifiedTable() + source.columns();
  }

  /**
   * The report of a delta fill: per source, the delta rows and whether a truncation happened, known
   * once a batch with {@link #addTo} has run. When a later statement of that batch failed, the rows
   * were not read: the report's query can go into another batch.
   */
  static final class Report {
    /** The column with the digest of the transaction's reads. */
    static final String DIGEST_COLUMN = "digest";

    private final List<Long> sources;
    private final String query;
    private List<SourceChanges> changes = List.of();
    private String digest;

    private Report(List<Long> sources, String query) {
      this.sources = sources;
      this.query = query;
    }

    /**
     * A report whose row another statement returns: a session function that runs the fill
     * ({@link RefreshFunction}); {@link #readRow} reads it.
     */
    static Report returnedFor(List<Long> sources) {
      return new Report(List.copyOf(sources), null);
    }

    /** Adds the report's query to {@code batch} (nothing for a stream table without sources). */
    void addTo(StatementBatch batch) {
      addTo(batch, UnaryOperator.identity());
    }

    private void addTo(StatementBatch batch, UnaryOperator<String> wrap) {
      if (sources.isEmpty()) {
        return;
      }
      batch.add(
          wrap.apply(query),
          rs -> {
            rs.next();
            readRow(rs);
          });
    }

    /**
     * Reads the report from the current row of {@code rs}, whose first {@link #columns} are the
     * report's; returns the number of the first column after them.
     */
    int readRow(ResultSet rs) throws SQLException {
      List<SourceChanges> read = new ArrayList<>(sources.size());
      for (int i = 0; i < sources.size(); i++) {
        read.add(new SourceChanges(sources.get(i), rs.getLong(2 * i + 1), rs.getBoolean(2 * i + 2)));
      }
      changes = List.copyOf(read);
      digest = rs.getString(2 * sources.size() + 1);
      return 2 * sources.size() + 2;
    }

    /** {@code rows_<i>}: the delta rows of the {@code i}-th source. */
    static String rowsColumn(int i) {
      return "rows_" + i;
    }

    /** {@code truncated_<i>}: whether the {@code i}-th source was truncated. */
    static String truncatedColumn(int i) {
      return "truncated_" + i;
    }

    /** The report's columns, in order, with their SQL types. */
    List<Column> columns() {
      List<Column> columns = new ArrayList<>(2 * sources.size() + 1);
      for (int i = 0; i < sources.size(); i++) {
        columns.add(new Column(rowsColumn(i), "bigint"));
        columns.add(new Column(truncatedColumn(i), "boolean"));
      }
      columns.add(new Column(DIGEST_COLUMN, "text"));
      return columns;
    }

    /** The digest of the transaction's reads when the report ran ({@link ReadDigest}). */
    String digest() {
      return digest;
    }

    /** What each source consumed, as the last run of the report's query read it. */
    List<SourceChanges> changes() {
      return changes;
    }
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
   * The join that reads a buffer row's image ({@code b.__pgt_row}) as the source's columns {@code
   * r}, by name and with their types now; a column the image lacks (added since) is null, a key the
   * columns lack (dropped since) is ignored. Nothing when the source has no columns.
   */
  private static String rowImage(List<Column> columns) {
    if (columns.isEmpty()) {
      return "";
    }
    return " LEFT JOIN LATERAL pg_catalog.json_to_record(b." + ChangeBuffer.ROW_COLUMN + ") AS r("
        + columns.stream()
            .map(col -> Sql.identifier(col.name()) + " " + col.type())
            .collect(Collectors.joining(", "))
        + ") ON true";
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
