package dev.trickle.service;

import dev.trickle.catalog.StreamTable;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The storage table's indexes and rows across a change of the query. The indexes are those the
 * differential plan creates on a stream table's storage table (a unique index on
 * an aggregate's groups, an index for keyless matching). The storage table outlives a change of
 * the query (it is migrated in place), so these indexes must go with the plan that needed them:
 * an aggregate's unique index on its group columns, kept after the query changed to one whose
 * rows repeat those values, failed the next population with a raw 23505.
 */
final class StorageIndexes {
  private static final String LIST =
      "SELECT format('%I.%I', n.nspname, i.relname) FROM pg_index x"
          + " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace"
          + " WHERE x.indrelid = ?";

  private StorageIndexes() {}

  /** The qualified, quoted names of the indexes on {@code storageRelid}. */
  static Set<String> of(Connection c, long storageRelid) throws SQLException {
    return names(c, LIST, storageRelid);
  }

  /**
   * {@code DROP INDEX IF EXISTS} for each index on the storage now that was not in {@code before}.
   */
  static List<String> dropsOfNew(Connection c, long storageRelid, Set<String> before)
      throws SQLException {
    List<String> drops = new ArrayList<>();
    for (String index : of(c, storageRelid)) {
      if (!before.contains(index)) {
        drops.add("DROP INDEX IF EXISTS " + index);
      }
    }
    return drops;
  }

  /**
   * Drops the unique indexes on the storage that back no constraint, before a changed query is
   * populated: stream tables set up before their plan's indexes were recorded for the teardown
   * still hold them, and the new query's rows need not be unique in those columns.
   */
  static void dropUnique(Connection c, long storageRelid) throws SQLException {
    Set<String> unique =
        names(
            c,
            LIST
                + " AND x.indisunique AND NOT EXISTS (SELECT FROM pg_constraint k"
                + " WHERE k.conindid = x.indexrelid)",
            storageRelid);
    try (Statement st = c.createStatement()) {
      for (String index : unique) {
        st.execute("DROP INDEX IF EXISTS " + index);
      }
    }
  }

  /**
   * Empties the storage table of a stream table whose query changed, before the new plan's setup
   * creates its indexes: the old query's rows need not be unique where the new plan's index is
   * (an aggregate's groups after a query whose rows repeat them), and the population that follows
   * writes the new query's rows anyway. Downstream capture sees the old rows deleted and the new
   * ones inserted, which a differential consumer nets out where they are equal.
   */
  static void empty(Connection c, StreamTable st) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SELECT set_config('pgtrickle.maintenance', 'on', true)");
      s.execute("DELETE FROM " + Sql.qualified(st.schema(), st.name()));
      s.execute("SELECT set_config('pgtrickle.maintenance', 'off', true)");
    }
  }

  private static Set<String> names(Connection c, String sql, long relid) throws SQLException {
    Set<String> names = new LinkedHashSet<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, relid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }
}
