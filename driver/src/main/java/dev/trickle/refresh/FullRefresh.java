package dev.trickle.refresh;

import dev.trickle.catalog.Relation;
import dev.trickle.catalog.StreamTable;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The FULL strategy: recompute the query and make the storage table hold its rows, the cheapest
 * correct way for who reads the storage ({@link FullReplacement}):
 *
 * <ul>
 *   <li><b>empty storage</b> (a first population): the query's rows are inserted;
 *   <li><b>nothing reads its changes</b> (no stream table reads it, no trigger but Trickle's
 *       guard, no foreign key points at it) and no transaction holds the table: {@code TRUNCATE}
 *       and insert the query's rows, in the refresh's transaction, its indexes dropped before and
 *       built again in bulk after ({@link RebuiltIndexes}). This costs what {@code REFRESH
 *       MATERIALIZED VIEW} costs and locks the same way: {@code ACCESS EXCLUSIVE} until the refresh
 *       commits, so readers that come meanwhile wait for the refresh (as they wait for {@code
 *       REFRESH MATERIALIZED VIEW}), and a reader in a REPEATABLE READ transaction whose snapshot
 *       is older than the commit sees the table empty (PostgreSQL's {@code TRUNCATE} is not
 *       MVCC-safe). The lock is taken with {@code NOWAIT}: when a reader's transaction holds the
 *       table, the refresh applies the difference instead of waiting for it;
 *   <li><b>something reads its changes</b> (a stream table over it, IMMEDIATE or other triggers):
 *       the query into a temporary table and the multiset difference applied to the storage, so
 *       the capture triggers publish exactly the rows that changed and downstream stays
 *       incremental; readers keep seeing the old content until commit (MVCC, no ACCESS EXCLUSIVE).
 * </ul>
 *
 * <p>The rows are the query's, or, for a differential stream table whose program keeps its whole
 * output in state, read from that state rebuilt first in the same batch ({@link RecomputedRows}).
 *
 * <p>Every statement that evaluates the query goes through the owner's executor ({@link AsOwner}).
 * First the query's shape is taken without running it ({@code CREATE TEMP TABLE ... AS query WITH
 * NO DATA}) and compared with the storage's columns by the query that also decides which way to
 * take ({@link FullReplacement#choose}); a query whose columns no longer match the storage fails
 * ({@link RefreshFailures#shapeChanged}). With the shape, PostgreSQL is asked whether it plans the
 * query with parallel workers ({@code pgtrickle.plans_in_parallel}, an {@code EXPLAIN}): {@code
 * REFRESH MATERIALIZED VIEW} and {@code CREATE TABLE AS} run such a plan in parallel, {@code
 * INSERT ... SELECT} never does, so the rows of such a query are computed into the temporary table
 * and copied from it ({@link Rows}).
 *
 * <p>The difference is a multiset difference keyed by the row's text form ({@code row::text}),
 * which works for every column type (also those without equality, such as {@code json}) and treats
 * NULLs and duplicates exactly: one aggregation over both sides counts, per distinct row, how many
 * copies the storage has too many or too few (a hash aggregate: no sort of either side); then, for
 * those rows only, surplus copies in the storage are deleted by {@code ctid} and missing copies
 * inserted. Table aliases use the reserved prefix {@code __pgt_}, which no output column may have,
 * so a whole-row reference never resolves to a column.
 */
final class FullRefresh {
  private FullRefresh() {}

  /**
   * Recomputes the stream table's query and makes the storage hold its rows, taken from {@code
   * from} (the query, or the differential program's state rebuilt first); every statement that
   * evaluates the query goes through {@code owner}.
   */
  static RefreshCounts apply(
      Connection c, AsOwner owner, StreamTable st, Relation storage, RecomputedRows from)
      throws SQLException {
    String temp = Sql.identifier("__pgt_full_" + st.relid());
    String qualifiedTemp = "pg_temp." + temp;
    String target = storage.qualifiedName();
    String rows = from.rows(st.spec().query());
    StatementBatch shape = new StatementBatch();
    shape.add("DROP TABLE IF EXISTS " + qualifiedTemp);
    shape.add(
        "CREATE TEMP TABLE " + temp + " ON COMMIT DROP AS "
            + RecomputedRows.queryRows(st.spec().query()) + " WITH NO DATA");
    int parallel =
        from.fromQuery()
            ? shape.addQuery(
                "SELECT pgtrickle.plans_in_parallel(" + Sql.literal(rows) + ") AS parallel")
            : -1;
    StatementBatch.Result shaped = owner.run(shape);
    FullReplacement way = FullReplacement.choose(c, storage.relid(), qualifiedTemp);
    if (!way.sameShape()) {
      throw RefreshFailures.shapeChanged(st);
    }
    StatementBatch apply = new StatementBatch();
    from.before().forEach(apply::add);
    Rows source = new Rows(rows, temp, parallel >= 0 && shaped.row(parallel).truth("parallel"));
    RefreshCounts counts =
        switch (way.kind()) {
          case INSERT -> insert(owner, apply, target, source);
          case REPLACE -> replace(owner, apply, target, source, way.indexes());
          case DIFFERENCE -> difference(owner, apply, st, target, source);
        };
    return counts;
  }

  /**
   * The recomputed rows and the temporary table made from the query's shape. When PostgreSQL plans
   * the rows' query with parallel workers, they are computed into that table first ({@code CREATE
   * TABLE AS} runs the query in parallel, an {@code INSERT ... SELECT} never does) and copied from
   * it; otherwise they are inserted straight from the query, which spares writing them twice.
   *
   * @param query the SELECT of the rows
   * @param temp the temporary table's name, unqualified
   * @param parallel whether the query's plan has a Gather node
   */
  private record Rows(String query, String temp, boolean parallel) {
    String qualifiedTemp() {
      return "pg_temp." + temp;
    }

    /**
     * Adds the statements that put the rows into the temporary table: computed by {@code CREATE
     * TABLE AS} when the query runs in parallel, else inserted into the table made from its shape.
     */
    void intoTemp(StatementBatch apply) {
      if (parallel) {
        apply.add("DROP TABLE " + qualifiedTemp());
        apply.add("CREATE TEMP TABLE " + temp + " ON COMMIT DROP AS " + query);
      } else {
        apply.add("INSERT INTO " + qualifiedTemp() + " " + query);
      }
    }

    /**
     * The SELECT to insert the rows from: the temporary table, filled by the statements added here,
     * when the query runs in parallel, else the query.
     */
    String toInsert(StatementBatch apply) {
      if (!parallel) {
        return query;
      }
      intoTemp(apply);
      return "SELECT * FROM " + qualifiedTemp();
    }
  }

  /** Into an empty storage: the query's rows. */
  private static RefreshCounts insert(
      AsOwner owner, StatementBatch apply, String target, Rows rows) throws SQLException {
    int inserted = apply.add("INSERT INTO " + target + " " + rows.toInsert(apply));
    apply.add("DROP TABLE " + rows.qualifiedTemp());
    return new RefreshCounts(owner.run(apply).count(inserted), 0);
  }

  /**
   * Nothing reads the changes: the old rows truncated (counted first), the query's inserted, the
   * indexes that can be ({@link RebuiltIndexes}) dropped before and built in bulk after.
   */
  private static RefreshCounts replace(
      AsOwner owner, StatementBatch apply, String target, Rows rows, RebuiltIndexes indexes)
      throws SQLException {
    int old = apply.addQuery("SELECT count(*) AS old_rows FROM " + target);
    String source = rows.toInsert(apply);
    apply.add("TRUNCATE " + target);
    indexes.names().forEach(index -> apply.add("DROP INDEX " + index));
    int inserted = apply.add("INSERT INTO " + target + " " + source);
    indexes.definitions().forEach(apply::add);
    apply.add("DROP TABLE " + rows.qualifiedTemp());
    StatementBatch.Result result = owner.run(apply);
    return new RefreshCounts(result.count(inserted), result.row(old).number("old_rows"));
  }

  /**
   * Something reads the changes: only the multiset difference is applied, between the storage and
   * the rows in the temporary table (filled in parallel when the query runs so).
   */
  private static RefreshCounts difference(
      AsOwner owner, StatementBatch apply, StreamTable st, String target, Rows rows)
      throws SQLException {
    String qualifiedTemp = rows.qualifiedTemp();
    String diff = "pg_temp." + Sql.identifier("__pgt_fulldiff_" + st.relid());
    rows.intoTemp(apply);
    apply.add("DROP TABLE IF EXISTS " + diff);
    apply.add(
        "CREATE TEMP TABLE " + Sql.identifier("__pgt_fulldiff_" + st.relid())
            + " ON COMMIT DROP AS SELECT __pgt_x.k, sum(__pgt_x.w)::bigint AS w FROM"
            + " (SELECT __pgt_t::text AS k, -1 AS w FROM " + target + " __pgt_t UNION ALL"
            + " SELECT __pgt_n::text, 1 FROM " + qualifiedTemp + " __pgt_n) __pgt_x"
            + " GROUP BY __pgt_x.k HAVING sum(__pgt_x.w) <> 0");
    apply.add("ANALYZE " + diff);
    int deleted =
        apply.add(
            "DELETE FROM " + target + " __pgt_s USING (SELECT __pgt_o.rid FROM"
                + " (SELECT __pgt_t.ctid AS rid, __pgt_d.w,"
                + " row_number() OVER (PARTITION BY __pgt_d.k) AS rn FROM " + target
                + " __pgt_t JOIN " + diff + " __pgt_d ON __pgt_d.k = __pgt_t::text"
                + " WHERE __pgt_d.w < 0) __pgt_o WHERE __pgt_o.rn <= -__pgt_o.w) __pgt_g"
                + " WHERE __pgt_s.ctid = __pgt_g.rid");
    int inserted =
        apply.add(
            "INSERT INTO " + target + " SELECT (__pgt_x.r).* FROM"
                + " (SELECT __pgt_n AS r, __pgt_d.w,"
                + " row_number() OVER (PARTITION BY __pgt_d.k) AS rn FROM " + qualifiedTemp
                + " __pgt_n JOIN " + diff + " __pgt_d ON __pgt_d.k = __pgt_n::text"
                + " WHERE __pgt_d.w > 0) __pgt_x WHERE __pgt_x.rn <= __pgt_x.w");
    apply.add("DROP TABLE " + diff);
    apply.add("DROP TABLE " + qualifiedTemp);
    StatementBatch.Result result = owner.run(apply);
    return new RefreshCounts(result.count(inserted), result.count(deleted));
  }
}
