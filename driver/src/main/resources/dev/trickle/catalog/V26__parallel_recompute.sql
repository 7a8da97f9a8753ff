-- Trickle catalog, version 26: a FULL refresh computes the query's rows with parallel workers when
-- PostgreSQL would.
--
-- PostgreSQL never runs the query of an INSERT ... SELECT with parallel workers, but it does run
-- the query of a CREATE TABLE AS (and of REFRESH MATERIALIZED VIEW) so. A FULL refresh that
-- inserted the query's rows straight into the storage table took up to 1.5 times what REFRESH
-- MATERIALIZED VIEW takes for an aggregate over a large table. When the query's plan has a Gather
-- node, the refresh now computes the rows into a temporary table (CREATE TABLE AS, in parallel) and
-- copies them into the storage; otherwise it inserts them directly, since the copy costs more than
-- it saves when the rows are many.

-- Whether PostgreSQL plans query `query` with parallel workers (a Gather or Gather Merge node),
-- planned by the caller with the caller's search_path and rights (EXPLAIN without ANALYZE: the
-- query is planned, not run).
CREATE FUNCTION pgtrickle.plans_in_parallel(query text)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
  plan text;
BEGIN
  EXECUTE 'EXPLAIN (FORMAT JSON, COSTS OFF) ' || query INTO plan;
  RETURN pg_catalog.strpos(plan, '"Node Type": "Gather') > 0;
END
$fn$;

-- How a FULL refresh replaces the contents of storage table `storage`, decided in one call whose
-- plans the session keeps (the refresh asked this in three round trips, the first planned anew
-- each time, which took longer than a small query's whole recomputation):
--   same_shape: the columns of `temp` (the temporary table made from the query WITH NO DATA) are
--     the storage's, by name and type, in order;
--   way: INSERT when the storage is empty; DIFFERENCE when something reads its row changes (a
--     stream table reads it, it has a trigger other than Trickle's guard, or a foreign key points
--     at it: TRUNCATE would refuse); REPLACE otherwise, once the storage's ACCESS EXCLUSIVE lock
--     (which TRUNCATE needs) is taken with NOWAIT, held until the refresh ends; DIFFERENCE when
--     that lock is not free at once (a reader's open transaction holds the table, and waiting
--     would queue every new reader behind the refresh);
--   rebuilt_names, rebuilt_definitions: for REPLACE, the storage's indexes to drop before the load
--     and create again after it, the ones whose definition pg_get_indexdef gives back whole and
--     independent of the search_path (valid, on plain columns, default operator classes and
--     collations, default tablespace, backing no constraint, not the replica identity, not
--     marked for CLUSTER, without a comment, nothing depending on them); empty otherwise.
CREATE FUNCTION pgtrickle.full_replacement(storage oid, temp regclass)
RETURNS TABLE (same_shape boolean, way text, rebuilt_names text[], rebuilt_definitions text[])
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
  target text;
  empty boolean;
BEGIN
  target := (SELECT c.oid::regclass::text FROM pg_catalog.pg_class c WHERE c.oid = storage);
  rebuilt_names := '{}';
  rebuilt_definitions := '{}';
  IF target IS NULL THEN
    same_shape := false;
    way := 'DIFFERENCE';
    RETURN NEXT;
    RETURN;
  END IF;
  same_shape :=
    ARRAY(SELECT pg_catalog.quote_ident(a.attname) || ' '
                 || pg_catalog.format_type(a.atttypid, a.atttypmod)
            FROM pg_catalog.pg_attribute a
           WHERE a.attrelid = temp AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
    = ARRAY(SELECT pg_catalog.quote_ident(a.attname) || ' '
                   || pg_catalog.format_type(a.atttypid, a.atttypmod)
              FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = storage AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum);
  EXECUTE 'SELECT NOT EXISTS (SELECT 1 FROM ' || target || ')' INTO empty;
  IF empty THEN
    way := 'INSERT';
  ELSIF EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d WHERE d.source_relid = storage)
     OR EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                 WHERE g.tgrelid = storage AND NOT g.tgisinternal
                   AND g.tgname <> 'pgtrickle_guard')
     OR EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.confrelid = storage) THEN
    way := 'DIFFERENCE';
  ELSE
    BEGIN
      EXECUTE 'LOCK TABLE ' || target || ' IN ACCESS EXCLUSIVE MODE NOWAIT';
      way := 'REPLACE';
    EXCEPTION WHEN lock_not_available THEN
      way := 'DIFFERENCE';
    END;
  END IF;
  IF way = 'REPLACE' THEN
    SELECT coalesce(pg_catalog.array_agg(pg_catalog.quote_ident(n.nspname) || '.'
                                         || pg_catalog.quote_ident(ic.relname)
                                         ORDER BY i.indexrelid), '{}'),
           coalesce(pg_catalog.array_agg(pg_catalog.pg_get_indexdef(i.indexrelid)
                                         ORDER BY i.indexrelid), '{}')
      INTO rebuilt_names, rebuilt_definitions
      FROM pg_catalog.pg_index i
      JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
     WHERE i.indrelid = storage AND i.indisvalid AND i.indisready AND i.indislive
       AND i.indexprs IS NULL AND i.indpred IS NULL AND NOT i.indisreplident
       AND NOT i.indisclustered AND ic.reltablespace = 0
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(i.indclass) AS c(opclass)
                         JOIN pg_catalog.pg_opclass o ON o.oid = c.opclass
                        WHERE NOT o.opcdefault)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.generate_subscripts(i.indkey, 1) AS k(j)
                         JOIN pg_catalog.pg_attribute a
                           ON a.attrelid = storage AND a.attnum = i.indkey[k.j]
                        WHERE i.indcollation[k.j] <> 0
                          AND i.indcollation[k.j] <> a.attcollation)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
                        WHERE k.conindid = i.indexrelid)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_description d
                        WHERE d.objoid = i.indexrelid
                          AND d.classoid = 'pg_catalog.pg_class'::regclass)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend p
                        WHERE p.refclassid = 'pg_catalog.pg_class'::regclass
                          AND p.refobjid = i.indexrelid);
  END IF;
  RETURN NEXT;
END
$fn$;
