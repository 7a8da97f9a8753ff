-- Trickle catalog, version 9: recursive closures in one statement; refresh reads as plain SQL
-- and without a look into the change buffers; IMMEDIATE stream tables hold no buffer rows.
--
-- A recursive stream table's differential refresh computes the rows derived from changed facts
-- with one WITH RECURSIVE statement instead of a loop of statements per recursion level. Its
-- recursive term calls this function only when a derivation chain reaches the iteration limit,
-- which a terminating recursion never does: it then fails with a message instead of running on.
CREATE FUNCTION pgtrickle.recursion_limit_exceeded(iterations integer)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION USING ERRCODE = '54000',
    MESSAGE = format('recursive maintenance did not reach a fixpoint after %s iterations;'
                     ' the recursive query may not terminate on this data', iterations),
    HINT = 'A UNION ALL recursion over a cycle never ends; use UNION to stop at rows already found.';
END
$fn$;

-- A refresh reads its sources and storage table with plain prepared queries now (the server keeps
-- their plans for the session, and they cost less than these calls).
DROP FUNCTION pgtrickle.refresh_sources(bigint);
DROP FUNCTION pgtrickle.relation_shape(oid);

-- A refresh no longer looks into the change buffers before its delta fill: the driver remembers
-- per connection which sources the last small differential refresh applied, and the fill itself
-- counts what it consumed and how full each buffer is.
DROP FUNCTION pgtrickle.buffered_changes(bigint, integer);

-- An IMMEDIATE stream table never reads the change buffers (its triggers keep it current inside
-- every writing transaction; its refresh only advances its frontier), so it holds no rows in them:
-- the cleanup deletes the rows every other consumer has consumed. Before, an IMMEDIATE stream
-- table that was never refreshed kept every change of its sources in their buffers for good, and
-- every DIFFERENTIAL stream table on those sources scanned them on each refresh.
CREATE OR REPLACE FUNCTION pgtrickle.clean_up_changes(sources oid[])
RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  source oid;
  failures text;
BEGIN
  FOREACH source IN ARRAY sources LOOP
    BEGIN
      IF pg_try_advisory_xact_lock(1414679362, source::bigint::bit(32)::integer) THEN
        EXECUTE format('DELETE FROM pgtrickle_changes.%I b WHERE NOT EXISTS (SELECT 1 FROM'
                       ' pgtrickle.pgt_frontiers f'
                       ' JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = f.pgt_id'
                       ' WHERE f.source_relid = $1 AND f.frontier IS NOT NULL'
                       ' AND s.effective_mode <> ''IMMEDIATE'''
                       ' AND pgtrickle.unconsumed(b.__pgt_xid, b.__pgt_seq, f.frontier, f.own_xid,'
                       ' f.own_seq))', 'changes_' || source)
          USING source;
      END IF;
    EXCEPTION WHEN OTHERS THEN
      failures := concat_ws('; ', failures,
                            'source ' || coalesce((SELECT format('%I.%I', n.nspname, c.relname)
                                                     FROM pg_class c
                                                     JOIN pg_namespace n ON n.oid = c.relnamespace
                                                    WHERE c.oid = source), source::text)
                            || ': ' || SQLERRM);
    END;
  END LOOP;
  RETURN failures;
END
$fn$;
