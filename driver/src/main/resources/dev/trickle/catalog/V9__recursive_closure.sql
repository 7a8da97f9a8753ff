-- Trickle catalog, version 9: recursive closures in one statement; refresh reads as plain SQL
-- and without a look into the change buffers; only DIFFERENTIAL stream tables hold buffer rows.
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

-- Only DIFFERENTIAL stream tables hold rows in the change buffers. An IMMEDIATE one never reads
-- them (its triggers keep it current inside every writing transaction; its refresh only advances
-- its frontier). A FULL one reads them only to tell whether anything changed since its last
-- refresh: when the cleanup deletes rows it had not seen, it records that instead, one row per
-- stream table and source, which makes the stream table pending until a refresh recomputes it
-- (the refresh deletes the records its snapshot sees; a record the cleanup adds later stays).
-- Before, a stream table on a slow schedule kept every change of its sources in their buffers
-- until it refreshed, and every DIFFERENTIAL stream table on those sources scanned that backlog
-- on each refresh.
CREATE TABLE pgtrickle.pgt_missed_changes (
  pgt_id       bigint NOT NULL REFERENCES pgtrickle.pgt_stream_tables (pgt_id) ON DELETE CASCADE,
  source_relid oid NOT NULL,
  PRIMARY KEY (pgt_id, source_relid)
);

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
        EXECUTE format('WITH gone AS (DELETE FROM pgtrickle_changes.%I b WHERE NOT EXISTS ('
                       ' SELECT 1 FROM pgtrickle.pgt_frontiers f'
                       ' JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = f.pgt_id'
                       ' WHERE f.source_relid = $1 AND f.frontier IS NOT NULL'
                       ' AND s.effective_mode = ''DIFFERENTIAL'''
                       ' AND pgtrickle.unconsumed(b.__pgt_xid, b.__pgt_seq, f.frontier, f.own_xid,'
                       ' f.own_seq)) RETURNING b.__pgt_xid, b.__pgt_seq)'
                       ' INSERT INTO pgtrickle.pgt_missed_changes (pgt_id, source_relid)'
                       ' SELECT f.pgt_id, $1 FROM pgtrickle.pgt_frontiers f'
                       ' JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = f.pgt_id'
                       ' WHERE f.source_relid = $1 AND s.effective_mode = ''FULL'''
                       ' AND EXISTS (SELECT 1 FROM gone g WHERE pgtrickle.unconsumed(g.__pgt_xid,'
                       ' g.__pgt_seq, f.frontier, f.own_xid, f.own_seq))'
                       ' ON CONFLICT DO NOTHING', 'changes_' || source)
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

CREATE OR REPLACE FUNCTION pgtrickle.pending_stream_tables()
RETURNS SETOF bigint
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  b record;
BEGIN
  FOR b IN
    SELECT cb.source_relid, cb.buffer_name FROM pgtrickle.pgt_change_buffers cb
     WHERE to_regclass(format('pgtrickle_changes.%I', cb.buffer_name)) IS NOT NULL
  LOOP
    RETURN QUERY EXECUTE format(
      'SELECT f.pgt_id FROM pgtrickle.pgt_frontiers f'
      ' WHERE f.source_relid = $1 AND f.frontier IS NOT NULL'
      ' AND EXISTS (SELECT 1 FROM pgtrickle_changes.%I c'
      ' WHERE pgtrickle.unconsumed(c.__pgt_xid, c.__pgt_seq, f.frontier, f.own_xid, f.own_seq))',
      b.buffer_name)
      USING b.source_relid;
  END LOOP;
  RETURN QUERY SELECT DISTINCT m.pgt_id FROM pgtrickle.pgt_missed_changes m;
END
$fn$;
