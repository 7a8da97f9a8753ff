-- Trickle catalog, version 5: changes a transaction writes after refreshing inside itself.
--
-- A refresh reads the changes of its own transaction written so far (they are visible to it), so
-- its frontier counts that transaction as consumed. If the same transaction writes more changes and
-- refreshes again (or commits and a later refresh runs), those later rows carry the same xid and
-- would look consumed too. The frontier therefore remembers the refreshing transaction (own_xid)
-- and the last buffer row of it the refresh read (own_seq, per source): rows of own_xid after
-- own_seq are still waiting.

ALTER TABLE pgtrickle.pgt_frontiers ADD COLUMN own_xid xid8, ADD COLUMN own_seq bigint;

-- True for a buffer row (xid, seq) that a consumer whose frontier is (frontier, own_xid, own_seq)
-- has not consumed yet. A NULL frontier (never populated) has consumed nothing.
CREATE FUNCTION pgtrickle.unconsumed(xid xid8, seq bigint, frontier pg_snapshot, own_xid xid8,
                                     own_seq bigint)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT frontier IS NULL OR NOT pg_visible_in_snapshot(xid, frontier)
         OR (xid = own_xid AND seq > coalesce(own_seq, 0))
$fn$;

CREATE OR REPLACE FUNCTION pgtrickle.change_buffer_sizes()
RETURNS TABLE (stream_table text, source_table text, cdc_mode text, pending_rows bigint,
               buffer_bytes bigint)
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  r record;
  pending bigint;
BEGIN
  FOR r IN
    SELECT format('%I.%I', s.pgt_schema, s.pgt_name) AS st, format('%I.%I', b.source_schema,
           b.source_name) AS src, s.cdc_mode AS mode, b.buffer_name, f.frontier, f.own_xid,
           f.own_seq, to_regclass(format('pgtrickle_changes.%I', b.buffer_name)) AS buffer
      FROM pgtrickle.pgt_frontiers f
      JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = f.pgt_id
      JOIN pgtrickle.pgt_change_buffers b ON b.source_relid = f.source_relid
     ORDER BY 1, 2
  LOOP
    IF r.buffer IS NULL THEN
      pending := NULL;
    ELSE
      EXECUTE format('SELECT count(*) FROM pgtrickle_changes.%I c'
                     ' WHERE pgtrickle.unconsumed(c.__pgt_xid, c.__pgt_seq, $1, $2, $3)',
                     r.buffer_name)
        INTO pending USING r.frontier, r.own_xid, r.own_seq;
    END IF;
    stream_table := r.st;
    source_table := r.src;
    cdc_mode := r.mode;
    pending_rows := pending;
    buffer_bytes := CASE WHEN r.buffer IS NULL THEN NULL ELSE pg_total_relation_size(r.buffer) END;
    RETURN NEXT;
  END LOOP;
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
END
$fn$;
