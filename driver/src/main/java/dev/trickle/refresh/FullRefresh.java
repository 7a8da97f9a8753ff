package dev.trickle.refresh;

import dev.trickle.catalog.Column;
import dev.trickle.catalog.Quoting;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.StreamTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The FULL strategy: recompute the query into a temporary table and apply the difference to the
 * storage table, never TRUNCATE: readers keep seeing the old content until commit (MVCC, no
 * ACCESS EXCLUSIVE lock), and the capture triggers of a stream table that other stream tables
 * read publish exactly the rows that changed, so downstream stays incremental.
 *
 * <p>The difference is a multiset difference keyed by the row's text form ({@code row::text}),
 * which works for every column type (also those without equality, such as {@code json}) and treats
 * NULLs and duplicates exactly: for each distinct row, surplus copies in the storage are deleted
 * by {@code ctid}, missing copies inserted. Table aliases use the reserved prefix {@code __pgt_},
 * which no output column may have, so a whole-row reference never resolves to a column.
 */
final class FullRefresh {
  private FullRefresh() {}

  /** Recomputes the stream table's query and applies the difference. */
  static RefreshCounts apply(Connection c, StreamTable st, Relation storage) throws SQLException {
    String temp = Quoting.identifier("__pgt_full_" + st.relid());
    String qualifiedTemp = "pg_temp." + temp;
    String target = storage.qualifiedName();
    try (Statement s = c.createStatement()) {
      s.setEscapeProcessing(false);
      s.execute("DROP TABLE IF EXISTS " + qualifiedTemp);
      s.execute("CREATE TEMP TABLE " + temp + " ON COMMIT DROP AS " + st.spec().query());
    }
    List<Column> fresh = columnsOf(c, qualifiedTemp);
    if (!fresh.equals(storage.columns(c))) {
      throw RefreshFailures.shapeChanged(st);
    }
    long deleted = 0;
    long inserted;
    try (Statement s = c.createStatement()) {
      if (isEmpty(c, target)) {
        inserted = s.executeUpdate("INSERT INTO " + target + " SELECT * FROM " + qualifiedTemp);
      } else {
        deleted =
            s.executeUpdate(
                "DELETE FROM " + target + " __pgt_s USING (SELECT __pgt_o.rid FROM"
                    + " (SELECT __pgt_t.ctid AS rid, __pgt_t::text AS k,"
                    + " row_number() OVER (PARTITION BY __pgt_t::text) AS rn FROM " + target
                    + " __pgt_t) __pgt_o LEFT JOIN (SELECT __pgt_n::text AS k, count(*) AS c FROM "
                    + qualifiedTemp + " __pgt_n GROUP BY 1) __pgt_nc ON __pgt_nc.k = __pgt_o.k"
                    + " WHERE __pgt_o.rn > coalesce(__pgt_nc.c, 0)) __pgt_d"
                    + " WHERE __pgt_s.ctid = __pgt_d.rid");
        inserted =
            s.executeUpdate(
                "INSERT INTO " + target + " SELECT (__pgt_x.r).* FROM"
                    + " (SELECT __pgt_n AS r, __pgt_n::text AS k,"
                    + " row_number() OVER (PARTITION BY __pgt_n::text) AS rn FROM "
                    + qualifiedTemp + " __pgt_n) __pgt_x LEFT JOIN (SELECT __pgt_t::text AS k,"
                    + " count(*) AS c FROM " + target + " __pgt_t GROUP BY 1) __pgt_oc"
                    + " ON __pgt_oc.k = __pgt_x.k WHERE __pgt_x.rn > coalesce(__pgt_oc.c, 0)");
      }
      s.execute("DROP TABLE " + qualifiedTemp);
    }
    return new RefreshCounts(inserted, deleted);
  }

  private static boolean isEmpty(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + table + ")")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static List<Column> columnsOf(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT ?::regclass::oid")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return Relation.find(c, rs.getLong(1)).orElseThrow().columns(c);
      }
    }
  }
}
