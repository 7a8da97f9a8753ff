package dev.trickle.refresh;

import dev.trickle.capture.ChangeBuffer;
import dev.trickle.catalog.Quoting;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
 * by the time of the new snapshot and not yet by the time of the previous one. This is defined by
 * transaction visibility, not by sequence numbers, so a transaction that commits out of order is
 * consumed exactly once: by the first refresh whose snapshot sees it.
 *
 * <p>Each captured source gets {@code pg_temp."__pgt_delta_<oid>"} with the buffer's columns plus
 * {@code __pgt_w int} (+1 for an inserted image, -1 for a deleted one), created {@code ON COMMIT
 * DROP} and dropped explicitly at the end of the refresh (inside a caller's transaction there may
 * be more than one refresh before the commit).
 */
public final class DeltaTables {
  private static final String VISIBLE =
      " pg_visible_in_snapshot(__pgt_xid, ?::pg_snapshot)"
          + " AND (?::pg_snapshot IS NULL OR NOT pg_visible_in_snapshot(__pgt_xid, ?::pg_snapshot))";

  private DeltaTables() {}

  /** {@code pg_temp."__pgt_delta_<oid>"}. */
  public static String qualifiedName(long sourceRelid) {
    return "pg_temp." + Quoting.identifier("__pgt_delta_" + sourceRelid);
  }

  /** True when any of the sources has consumable changes (a truncate marker included). */
  static boolean anyPending(
      Connection c, List<Long> sources, Map<Long, String> oldFrontiers, String newFrontier)
      throws SQLException {
    for (long source : sources) {
      String sql =
          "SELECT EXISTS (SELECT 1 FROM " + new ChangeBuffer(source).qualifiedTable() + " WHERE"
              + VISIBLE + ")";
      if (exists(c, sql, newFrontier, oldFrontiers.get(source))) {
        return true;
      }
    }
    return false;
  }

  /** Creates and fills the delta table of every source; reports what each consumed. */
  static List<SourceChanges> materialize(
      Connection c,
      List<StreamTableDefinition.Source> sources,
      Map<Long, String> oldFrontiers,
      String newFrontier)
      throws SQLException {
    List<SourceChanges> changes = new ArrayList<>();
    for (StreamTableDefinition.Source source : sources) {
      String buffer = new ChangeBuffer(source.relid()).qualifiedTable();
      String columns =
          source.columns().stream()
              .map(col -> Quoting.identifier(col.name()))
              .collect(Collectors.joining(", "));
      String prefix = columns.isEmpty() ? "" : columns + ", ";
      try (Statement st = c.createStatement()) {
        st.execute("DROP TABLE IF EXISTS " + source.deltaTable());
        st.execute(
            "CREATE TEMP TABLE "
                + Quoting.identifier("__pgt_delta_" + source.relid())
                + " ON COMMIT DROP AS SELECT "
                + prefix
                + "0::int AS \"__pgt_w\" FROM "
                + buffer
                + " WITH NO DATA");
      }
      long rows;
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO "
                  + source.deltaTable()
                  + " SELECT "
                  + prefix
                  + "CASE __pgt_op WHEN 'I' THEN 1 ELSE -1 END FROM "
                  + buffer
                  + " WHERE __pgt_op <> 'T' AND"
                  + VISIBLE)) {
        bindFrontiers(ps, newFrontier, oldFrontiers.get(source.relid()));
        rows = ps.executeUpdate();
      }
      boolean truncated =
          exists(
              c,
              "SELECT EXISTS (SELECT 1 FROM " + buffer + " WHERE __pgt_op = 'T' AND" + VISIBLE + ")",
              newFrontier,
              oldFrontiers.get(source.relid()));
      changes.add(new SourceChanges(source.relid(), rows, truncated));
    }
    return changes;
  }

  /** Drops the delta tables of the sources. */
  static void drop(Connection c, List<StreamTableDefinition.Source> sources) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (StreamTableDefinition.Source source : sources) {
        st.execute("DROP TABLE IF EXISTS " + source.deltaTable());
      }
    }
  }

  private static boolean exists(Connection c, String sql, String newFrontier, String oldFrontier)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bindFrontiers(ps, newFrontier, oldFrontier);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private static void bindFrontiers(PreparedStatement ps, String newFrontier, String oldFrontier)
      throws SQLException {
    ps.setString(1, newFrontier);
    ps.setString(2, oldFrontier);
    ps.setString(3, oldFrontier);
  }
}
