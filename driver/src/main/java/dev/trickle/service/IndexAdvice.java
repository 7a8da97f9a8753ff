package dev.trickle.service;

import dev.trickle.catalog.ServerNotices;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;

/**
 * Warns when a differential plan probes a source column by equality (a join key) that leads no
 * index: every refresh would then scan that source, which is what a delta is meant to avoid. The
 * warning names the column and the index to create.
 */
final class IndexAdvice {
  private IndexAdvice() {}

  static void warnMissing(Connection c, String streamTable, Map<Long, Set<String>> probedColumns)
      throws SQLException {
    for (Map.Entry<Long, Set<String>> source : probedColumns.entrySet()) {
      for (String column : source.getValue()) {
        if (!leadsAnIndex(c, source.getKey(), column)) {
          String relation = relationName(c, source.getKey());
          ServerNotices.warning(
              c,
              "stream table " + streamTable + " joins on " + relation + "." + Sql.identifier(column)
                  + ", which leads no index, so each refresh scans " + relation
                  + "; create one: CREATE INDEX ON " + relation + " (" + Sql.identifier(column) + ")");
        }
      }
    }
  }

  private static boolean leadsAnIndex(Connection c, long relid, String column) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                + " AND a.attnum = i.indkey[0] WHERE i.indrelid = ?::oid AND a.attname = ?)")) {
      ps.setLong(1, relid);
      ps.setString(2, column);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private static String relationName(Connection c, long relid) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ?::oid")) {
      ps.setLong(1, relid);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }
}
