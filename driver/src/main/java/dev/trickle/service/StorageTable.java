package dev.trickle.service;

import dev.trickle.catalog.Column;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.SqlState;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The storage table of a stream table: a real table with exactly the query's output columns (names,
 * types with typmods, collations), created {@code LIKE} the {@link QueryProbe} view, plus the
 * guard trigger {@code pgtrickle_guard} (BEFORE INSERT/UPDATE/DELETE/TRUNCATE, per statement) that
 * refuses direct writes unless Trickle's maintenance is running.
 */
final class StorageTable {
  private StorageTable() {}

  /** Creates {@code schema.name} like the probe view and returns its oid. */
  static long create(Connection c, String schema, String name) throws SQLException {
    String table = Sql.qualified(schema, name);
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE " + table + " (LIKE " + QueryProbe.VIEW + ")");
      st.execute(
          "CREATE TRIGGER pgtrickle_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON "
              + table
              + " FOR EACH STATEMENT EXECUTE FUNCTION pgtrickle.guard_stream_table()");
      st.execute(
          "COMMENT ON TABLE "
              + table
              + " IS 'stream table maintained by Trickle; see pgtrickle.pgt_status()'");
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT ?::regclass::oid")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Changes the storage table's columns in place to {@code wanted} (the new query's columns):
   * drops columns the query no longer has, retypes changed ones, appends new ones. The table keeps
   * its oid, indexes on kept columns and grants. Refuses (0A000) a change that would need existing
   * columns in another order, which PostgreSQL cannot do in place.
   */
  static void migrate(Connection c, Relation storage, List<Column> wanted, String streamTable)
      throws SQLException {
    Map<String, String> existing = new LinkedHashMap<>();
    for (Column column : storage.columns(c)) {
      existing.put(column.name(), column.type());
    }
    Map<String, String> target = new LinkedHashMap<>();
    wanted.forEach(col -> target.put(col.name(), col.type()));
    List<String> resulting = new ArrayList<>();
    existing.keySet().stream().filter(target::containsKey).forEach(resulting::add);
    target.keySet().stream().filter(n -> !existing.containsKey(n)).forEach(resulting::add);
    if (!resulting.equals(new ArrayList<>(target.keySet()))) {
      throw SqlState.UNSUPPORTED.exception(
          "the new query of stream table "
              + streamTable
              + " returns its existing columns in another order ("
              + String.join(", ", target.keySet())
              + " instead of "
              + String.join(", ", existing.keySet())
              + "); keep the existing columns in their order (new ones may follow), or drop and"
              + " re-create the stream table");
    }
    String table = storage.qualifiedName();
    try (Statement st = c.createStatement()) {
      for (String name : existing.keySet()) {
        if (!target.containsKey(name)) {
          st.execute("ALTER TABLE " + table + " DROP COLUMN " + Sql.identifier(name));
        } else if (!target.get(name).equals(existing.get(name))) {
          st.execute(
              "ALTER TABLE " + table + " ALTER COLUMN " + Sql.identifier(name) + " TYPE "
                  + target.get(name) + " USING NULL");
        }
      }
      for (Column column : wanted) {
        if (!existing.containsKey(column.name())) {
          st.execute(
              "ALTER TABLE " + table + " ADD COLUMN " + Sql.identifier(column.name()) + ' '
                  + column.type());
        }
      }
    }
  }
}
