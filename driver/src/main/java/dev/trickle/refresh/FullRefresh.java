package dev.trickle.refresh;

import dev.trickle.catalog.Column;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.StreamTable;
import dev.trickle.sql.Sql;
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
 * NULLs and duplicates exactly: one aggregation over both sides counts, per distinct row, how many
 * copies the storage has too many or too few (a hash aggregate: no sort of either side); then, for
 * those rows only, surplus copies in the storage are deleted by {@code ctid} and missing copies
 * inserted. Table aliases use the reserved prefix {@code __pgt_},
 * which no output column may have, so a whole-row reference never resolves to a column.
 */
final class FullRefresh {
  private FullRefresh() {}

  /**
   * Recomputes the stream table's query and applies the difference; every statement goes through
   * {@code owner} (the recompute evaluates the query, which must run as the owner).
   */
  static RefreshCounts apply(Connection c, AsOwner owner, StreamTable st, Relation storage)
      throws SQLException {
    String temp = Sql.identifier("__pgt_full_" + st.relid());
    String qualifiedTemp = "pg_temp." + temp;
    String target = storage.qualifiedName();
    StatementBatch recompute = new StatementBatch();
    recompute.add("DROP TABLE IF EXISTS " + qualifiedTemp);
    recompute.add("CREATE TEMP TABLE " + temp + " ON COMMIT DROP AS " + st.spec().query());
    owner.run(recompute);
    List<Column> fresh = columnsOf(c, qualifiedTemp);
    if (!fresh.equals(storage.columns(c))) {
      throw RefreshFailures.shapeChanged(st);
    }
    StatementBatch apply = new StatementBatch();
    int deleted = -1;
    int inserted;
    if (isEmpty(c, target)) {
      inserted = apply.add("INSERT INTO " + target + " SELECT * FROM " + qualifiedTemp);
    } else {
      String diff = "pg_temp." + Sql.identifier("__pgt_fulldiff_" + st.relid());
      apply.add("DROP TABLE IF EXISTS " + diff);
      apply.add(
          "CREATE TEMP TABLE " + Sql.identifier("__pgt_fulldiff_" + st.relid())
              + " ON COMMIT DROP AS SELECT __pgt_x.k, sum(__pgt_x.w)::bigint AS w FROM"
              + " (SELECT __pgt_t::text AS k, -1 AS w FROM " + target + " __pgt_t UNION ALL"
              + " SELECT __pgt_n::text, 1 FROM " + qualifiedTemp + " __pgt_n) __pgt_x"
              + " GROUP BY __pgt_x.k HAVING sum(__pgt_x.w) <> 0");
      apply.add("ANALYZE " + diff);
      deleted =
          apply.add(
              "DELETE FROM " + target + " __pgt_s USING (SELECT __pgt_o.rid FROM"
                  + " (SELECT __pgt_t.ctid AS rid, __pgt_d.w,"
                  + " row_number() OVER (PARTITION BY __pgt_d.k) AS rn FROM " + target
                  + " __pgt_t JOIN " + diff + " __pgt_d ON __pgt_d.k = __pgt_t::text"
                  + " WHERE __pgt_d.w < 0) __pgt_o WHERE __pgt_o.rn <= -__pgt_o.w) __pgt_g"
                  + " WHERE __pgt_s.ctid = __pgt_g.rid");
      inserted =
          apply.add(
              "INSERT INTO " + target + " SELECT (__pgt_x.r).* FROM"
                  + " (SELECT __pgt_n AS r, __pgt_d.w,"
                  + " row_number() OVER (PARTITION BY __pgt_d.k) AS rn FROM " + qualifiedTemp
                  + " __pgt_n JOIN " + diff + " __pgt_d ON __pgt_d.k = __pgt_n::text"
                  + " WHERE __pgt_d.w > 0) __pgt_x WHERE __pgt_x.rn <= __pgt_x.w");
      apply.add("DROP TABLE " + diff);
    }
    apply.add("DROP TABLE " + qualifiedTemp);
    StatementBatch.Result result = owner.run(apply);
    return new RefreshCounts(result.count(inserted), deleted < 0 ? 0 : result.count(deleted));
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
