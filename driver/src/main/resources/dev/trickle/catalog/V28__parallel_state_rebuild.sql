-- Trickle catalog, version 28: the state a differential program keeps is rebuilt with parallel
-- workers when PostgreSQL would plan its query so.
--
-- A recompute of a DIFFERENTIAL stream table over an aggregate rebuilds the program's state (the
-- groups before the projection) from the query and reads the storage's rows from it. That rebuild
-- was an INSERT ... SELECT, which PostgreSQL never runs with parallel workers, so such a stream
-- table recomputed at the cost of a serial scan where a FULL one (V26) and REFRESH MATERIALIZED
-- VIEW scan in parallel.

-- Inserts the rows of query `query` into table `target`, with the caller's rights and search_path:
-- when PostgreSQL plans the query with parallel workers (a Gather node) and expects at most 10,000
-- rows, the rows are computed into a temporary table by CREATE TABLE AS, which runs such a plan in
-- parallel, and copied from it; otherwise they are inserted straight from the query. The copy
-- writes every row twice, which for a large state (a group per part or per order) can cost more
-- than the workers save. A procedure, so that CALL is one statement both on its own and inside a
-- PL/pgSQL body.
CREATE PROCEDURE pgtrickle.insert_query_rows(target regclass, query text)
LANGUAGE plpgsql AS $fn$
DECLARE
  plan json;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
  IF pg_catalog.strpos(plan::text, '"Node Type": "Gather') > 0
     AND (plan -> 0 -> 'Plan' ->> 'Plan Rows')::float8 <= 10000 THEN
    IF pg_catalog.to_regclass('pg_temp.__pgt_query_rows') IS NOT NULL THEN
      DROP TABLE pg_temp.__pgt_query_rows;
    END IF;
    EXECUTE 'CREATE TEMP TABLE __pgt_query_rows ON COMMIT DROP AS ' || query;
    EXECUTE pg_catalog.format('INSERT INTO %s SELECT * FROM pg_temp.__pgt_query_rows', target);
    DROP TABLE pg_temp.__pgt_query_rows;
  ELSE
    EXECUTE pg_catalog.format('INSERT INTO %s ', target) || query;
  END IF;
END
$fn$;
