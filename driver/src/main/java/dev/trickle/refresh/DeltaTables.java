package dev.trickle.refresh;

import dev.trickle.capture.ChangeBuffer;
import dev.trickle.catalog.Quoting;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
 * ({@link SessionTempTables}). The frontiers are the server's own {@code pg_snapshot} texts and are
 * written into the SQL as quoted literals.
 */
public final class DeltaTables {
  private DeltaTables() {}

  /** {@code pg_temp."__pgt_delta_<oid>"}. */
  public static String qualifiedName(long sourceRelid) {
    return "pg_temp." + Quoting.identifier("__pgt_delta_" + sourceRelid);
  }

  /** True when any of the sources has consumable changes (a truncate marker included): one query. */
  static boolean anyPending(
      Connection c, List<Long> sources, Map<Long, Frontiers.Consumed> oldFrontiers, String newFrontier)
      throws SQLException {
    if (sources.isEmpty()) {
      return false;
    }
    String sql =
        sources.stream()
            .map(
                source ->
                    "EXISTS (SELECT 1 FROM " + new ChangeBuffer(source).qualifiedTable() + " WHERE"
                        + visible(newFrontier, oldFrontiers.get(source)) + ")")
            .collect(Collectors.joining(" OR ", "SELECT ", ""));
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /**
   * Fills the delta table of every source and reports what each consumed, in one round trip. The
   * tables are session work tables ({@link SessionTempTables}), emptied by each fill.
   */
  static List<SourceChanges> materialize(
      Connection c,
      List<StreamTableDefinition.Source> sources,
      Map<Long, Frontiers.Consumed> oldFrontiers,
      String newFrontier,
      SessionTempTables temps)
      throws SQLException {
    StatementBatch batch = new StatementBatch();
    List<String> report = new ArrayList<>();
    for (StreamTableDefinition.Source source : sources) {
      String buffer = new ChangeBuffer(source.relid()).qualifiedTable();
      String columns =
          source.columns().stream()
              .map(col -> Quoting.identifier(col.name()))
              .collect(Collectors.joining(", "));
      String prefix = columns.isEmpty() ? "" : columns + ", ";
      String visible = visible(newFrontier, oldFrontiers.get(source.relid()));
      batch.addAll(
          temps.fill(
              source.deltaTable(),
              buffer + source.columns(),
              "SELECT " + prefix + "CASE __pgt_op WHEN 'I' THEN 1 ELSE -1 END AS \"__pgt_w\" FROM "
                  + buffer + " WHERE __pgt_op <> 'T' AND" + visible));
      report.add("(SELECT count(*) FROM " + source.deltaTable() + ")");
      report.add("EXISTS (SELECT 1 FROM " + buffer + " WHERE __pgt_op = 'T' AND" + visible + ")");
    }
    if (sources.isEmpty()) {
      return List.of();
    }
    batch.add("SELECT " + String.join(", ", report));
    List<String> row = batch.run(c).lastRow();
    List<SourceChanges> changes = new ArrayList<>();
    for (int i = 0; i < sources.size(); i++) {
      changes.add(
          new SourceChanges(
              sources.get(i).relid(),
              Long.parseLong(row.get(2 * i)),
              "t".equals(row.get(2 * i + 1))));
    }
    return changes;
  }

  /** Rows committed by {@code newFrontier} and not consumed by {@code old} (null: nothing before). */
  private static String visible(String newFrontier, Frontiers.Consumed old) {
    return " pg_visible_in_snapshot(__pgt_xid, " + Quoting.literal(newFrontier) + "::pg_snapshot)"
        + (old == null ? "" : " AND " + old.unconsumedSql());
  }
}
