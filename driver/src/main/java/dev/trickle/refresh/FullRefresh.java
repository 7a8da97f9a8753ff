package dev.trickle.refresh;

import dev.trickle.catalog.Relation;
import dev.trickle.catalog.StreamTable;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

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
 * inserted, all in one statement. Table aliases use the reserved prefix {@code __pgt_},
 * which no output column may have, so a whole-row reference never resolves to a column.
 */
final class FullRefresh {
  private FullRefresh() {}

  /**
   * Recomputes the stream table's query and applies the difference; the statements go through
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
    if (!sameColumns(c, qualifiedTemp, storage.relid())) {
      throw RefreshFailures.shapeChanged(st);
    }
    StatementBatch apply = new StatementBatch();
    int difference = apply.addQuery(difference(target, qualifiedTemp));
    ResultRow counts = owner.run(apply).row(difference);
    return new RefreshCounts(counts.number("inserted"), counts.number("deleted"));
  }

  /**
   * One statement that applies the difference between {@code target} and {@code fresh} and
   * returns the rows deleted and inserted: no work table of its own, no statistics to gather, one
   * round trip (the separate diff table, its {@code ANALYZE}, the emptiness check and the drops
   * cost a recomputation of a small result more than its query). An empty storage table (the
   * first population) takes every row without computing a difference.
   */
  private static String difference(String target, String fresh) {
    String empty = "(SELECT __pgt_e.empty FROM __pgt_e)";
    return "WITH __pgt_e AS MATERIALIZED (SELECT NOT EXISTS (SELECT 1 FROM " + target + ") AS empty),"
        + " __pgt_d AS MATERIALIZED (SELECT __pgt_x.k, sum(__pgt_x.w)::bigint AS w FROM"
        + " (SELECT __pgt_t::text AS k, -1 AS w FROM " + target + " __pgt_t UNION ALL"
        + " SELECT __pgt_n::text, 1 FROM " + fresh + " __pgt_n WHERE NOT " + empty + ") __pgt_x"
        + " GROUP BY __pgt_x.k HAVING sum(__pgt_x.w) <> 0),"
        + " __pgt_del AS (DELETE FROM " + target + " __pgt_s USING (SELECT __pgt_o.rid FROM"
        + " (SELECT __pgt_t.ctid AS rid, __pgt_d.w,"
        + " row_number() OVER (PARTITION BY __pgt_d.k) AS rn FROM " + target
        + " __pgt_t JOIN __pgt_d ON __pgt_d.k = __pgt_t::text"
        + " WHERE __pgt_d.w < 0) __pgt_o WHERE __pgt_o.rn <= -__pgt_o.w) __pgt_g"
        + " WHERE __pgt_s.ctid = __pgt_g.rid RETURNING 1),"
        + " __pgt_ins AS (INSERT INTO " + target + " SELECT (__pgt_x.r).* FROM"
        + " (SELECT __pgt_n AS r, __pgt_d.w,"
        + " row_number() OVER (PARTITION BY __pgt_d.k) AS rn FROM " + fresh
        + " __pgt_n JOIN __pgt_d ON __pgt_d.k = __pgt_n::text"
        + " WHERE __pgt_d.w > 0) __pgt_x WHERE __pgt_x.rn <= __pgt_x.w RETURNING 1),"
        + " __pgt_all AS (INSERT INTO " + target + " SELECT * FROM " + fresh + " WHERE " + empty
        + " RETURNING 1)"
        + " SELECT (SELECT count(*) FROM __pgt_del) AS deleted,"
        + " (SELECT count(*) FROM __pgt_ins) + (SELECT count(*) FROM __pgt_all) AS inserted";
  }

  /** Whether the recomputed rows have the storage table's column names and types, in order. */
  private static boolean sameColumns(Connection c, String fresh, long storage) throws SQLException {
    String columns = "(SELECT array_agg(attname::text || ' ' || format_type(atttypid, atttypmod)"
        + " ORDER BY attnum) FROM pg_catalog.pg_attribute WHERE attrelid = %s AND attnum > 0"
        + " AND NOT attisdropped)";
    try (PreparedStatement ps = c.prepareStatement("SELECT " + columns.formatted("?::regclass")
        + " IS NOT DISTINCT FROM " + columns.formatted("?::oid"))) {
      ps.setString(1, fresh);
      ps.setLong(2, storage);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }
}
