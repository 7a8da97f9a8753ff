package dev.trickle.refresh;

import dev.trickle.capture.ChangeBuffer;
import dev.trickle.catalog.Quoting;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Materializes the changes a refresh consumes. For a source with buffer {@code B}, old frontier
 * {@code F0} and new frontier {@code F1}, the consumed rows are those with {@code
 * pg_visible_in_snapshot(__pgt_xid, F1) AND NOT pg_visible_in_snapshot(__pgt_xid, F0)}: committed
 * by the time of the new snapshot and not yet by the time of the previous one; plus the rows the
 * transaction that took {@code F0} wrote after that refresh ({@link Frontiers.Consumed}). This is defined by
 * transaction visibility, not by sequence numbers, so a transaction that commits out of order is
 * consumed exactly once: by the first refresh whose snapshot sees it.
 *
 * <p>Each captured source gets {@code pg_temp."__pgt_delta_<oid>"} with the buffer's columns plus
 * {@code __pgt_w int} (+1 for an inserted image, -1 for a deleted one), a session work table
 * ({@link SessionTempTables}). The frontiers are the server's own {@code pg_snapshot} texts, bound
 * as values.
 */
public final class DeltaTables {
  private DeltaTables() {}

  /** {@code pg_temp."__pgt_delta_<oid>"}. */
  public static String qualifiedName(long sourceRelid) {
    return "pg_temp." + Quoting.identifier("__pgt_delta_" + sourceRelid);
  }

  /**
   * True when any of the sources has consumable changes (a truncate marker included), or the
   * cleanup deleted changes of one that stream table {@code pgtId} had not seen ({@code
   * pgtrickle.pgt_missed_changes}, kept for FULL stream tables): one query.
   */
  static boolean anyPending(
      Connection c,
      long pgtId,
      List<Long> sources,
      Map<Long, Frontiers.Consumed> oldFrontiers,
      String newFrontier)
      throws SQLException {
    if (sources.isEmpty()) {
      return false;
    }
    List<String> exists = new ArrayList<>();
    exists.add("EXISTS (SELECT 1 FROM pgtrickle.pgt_missed_changes WHERE pgt_id = " + pgtId + ")");
    List<Object> values = new ArrayList<>();
    for (long source : sources) {
      Frontiers.Consumed old = oldFrontiers.get(source);
      exists.add(
          "EXISTS (SELECT 1 FROM " + new ChangeBuffer(source).qualifiedTable() + " WHERE"
              + visible(old) + ")");
      values.addAll(visibleValues(newFrontier, old));
    }
    StatementBatch batch = new StatementBatch();
    batch.addWithValues("SELECT " + String.join(" OR ", exists), values.toArray());
    return "t".equals(batch.run(c).lastRow().get(0));
  }

  /**
   * Adds the statements that fill the delta table of every source, and a report of what each
   * consumed, to {@code batch} (which holds bound values from then on); the report is known once
   * the batch has run. The tables are session work tables ({@link SessionTempTables}), emptied by
   * each fill. The frontiers are bound values, so the statements stay prepared from one refresh to
   * the next.
   */
  static Report fill(
      StatementBatch batch,
      List<StreamTableDefinition.Source> sources,
      Map<Long, Frontiers.Consumed> oldFrontiers,
      String newFrontier,
      SessionTempTables temps) {
    List<String> report = new ArrayList<>();
    List<Object> reportValues = new ArrayList<>();
    for (StreamTableDefinition.Source source : sources) {
      String buffer = new ChangeBuffer(source.relid()).qualifiedTable();
      String columns =
          source.columns().stream()
              .map(col -> Quoting.identifier(col.name()))
              .collect(Collectors.joining(", "));
      String prefix = columns.isEmpty() ? "" : columns + ", ";
      Frontiers.Consumed old = oldFrontiers.get(source.relid());
      String visible = visible(old);
      List<Object> values = visibleValues(newFrontier, old);
      String query =
          "SELECT " + prefix + "CASE __pgt_op WHEN 'I' THEN 1 ELSE -1 END AS \"__pgt_w\" FROM "
              + buffer + " WHERE __pgt_op <> 'T' AND" + visible;
      for (String statement : temps.fill(source.deltaTable(), buffer + source.columns(), query)) {
        Object[] statementValues = statement.endsWith(query) ? values.toArray() : new Object[0];
        batch.addWithValues(statement, statementValues);
      }
      report.add("(SELECT count(*) FROM " + source.deltaTable() + ")");
      report.add("EXISTS (SELECT 1 FROM " + buffer + " WHERE __pgt_op = 'T' AND" + visible + ")");
      reportValues.addAll(values);
    }
    Report filled =
        new Report(
            sources.stream().map(StreamTableDefinition.Source::relid).toList(),
            "SELECT " + String.join(", ", report),
            reportValues.toArray());
    filled.addTo(batch);
    return filled;
  }

  /**
   * The report of a delta fill: per source, the delta rows and whether a truncation happened, known
   * once a batch with {@link #addTo} has run. When a later statement of that batch failed, the rows
   * were not read: the report's query can go into another batch.
   */
  static final class Report {
    private final List<Long> sources;
    private final String query;
    private final Object[] values;
    private List<SourceChanges> changes = List.of();

    private Report(List<Long> sources, String query, Object[] values) {
      this.sources = sources;
      this.query = query;
      this.values = values;
    }

    /** Adds the report's query to {@code batch} (nothing for a stream table without sources). */
    void addTo(StatementBatch batch) {
      if (sources.isEmpty()) {
        return;
      }
      batch.queryWithValues(
          query,
          rs -> {
            rs.next();
            List<SourceChanges> read = new ArrayList<>(sources.size());
            for (int i = 0; i < sources.size(); i++) {
              read.add(
                  new SourceChanges(sources.get(i), rs.getLong(2 * i + 1), rs.getBoolean(2 * i + 2)));
            }
            changes = List.copyOf(read);
          },
          values);
    }

    /** What each source consumed, as the last run of the report's query read it. */
    List<SourceChanges> changes() {
      return changes;
    }
  }

  /**
   * SQL true for the buffer rows committed by the new frontier and not consumed by {@code old}
   * (null: nothing before), with placeholders for the frontiers ({@link #visibleValues}), so the
   * text stays the same from refresh to refresh.
   */
  private static String visible(Frontiers.Consumed old) {
    return " pg_visible_in_snapshot(__pgt_xid, ?::pg_snapshot)"
        + (old == null ? "" : " AND " + Frontiers.Consumed.unconsumedPlaceholders());
  }

  /** The values of {@link #visible}, in order. */
  private static List<Object> visibleValues(String newFrontier, Frontiers.Consumed old) {
    List<Object> values = new ArrayList<>(4);
    values.add(newFrontier);
    if (old != null) {
      values.addAll(old.values());
    }
    return values;
  }

}
