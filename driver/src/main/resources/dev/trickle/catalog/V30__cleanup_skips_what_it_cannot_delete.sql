-- Trickle catalog, version 30: the cleanup of a change buffer reads the buffer only when it may
-- delete something.
--
-- Two cases read a large buffer whole to delete nothing:
--   * the cleanup after the refresh of a FULL stream table. The rows a cleanup deletes are those
--     every DIFFERENTIAL reader of the source has consumed; a FULL stream table's frontier is not
--     among them, so its refresh makes no row deletable. When the source has a DIFFERENTIAL reader,
--     that reader's refreshes (and the scheduler's cleanup after its pass) do the deleting, and the
--     FULL reader's cleanup (by_full_reader) now leaves the buffer alone. A source read by FULL
--     stream tables only is cleaned up by them, as before: all of its rows are deletable;
--   * the check whether a buffer is drained (every row consumed, so TRUNCATE can replace the
--     DELETE) grouped the whole buffer by writing transaction, and in the usual case that one
--     reader has not refreshed since the last batch it found the buffer not drained. A row written
--     by a transaction at or above the least xmax of the DIFFERENTIAL readers' snapshots is
--     consumed by none of them, so one such row settles it: the check now looks for one first
--     (a scan that stops at it) and groups the buffer only when there is none. It runs before the
--     buffer is locked, so writers no longer wait for it in that case either.
DROP FUNCTION pgtrickle.clean_up_changes(oid[], boolean);

CREATE FUNCTION pgtrickle.clean_up_changes(sources oid[], truncate_drained boolean DEFAULT false,
                                           by_full_reader boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  source oid;
  buffer text;
  claimed boolean;
  drained boolean;
  readers bigint;
  none_from xid8;
  failures text;
BEGIN
  FOREACH source IN ARRAY sources LOOP
    BEGIN
      PERFORM 1 FROM pgtrickle.pgt_change_buffers b WHERE b.source_relid = source
        FOR NO KEY UPDATE SKIP LOCKED;
      claimed := FOUND;
      IF claimed THEN
        SELECT count(*), min(pg_snapshot_xmax(f.frontier)) INTO readers, none_from
          FROM pgtrickle.pgt_frontiers f
          JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = f.pgt_id
         WHERE f.source_relid = source AND f.frontier IS NOT NULL
           AND s.effective_mode = 'DIFFERENTIAL';
      END IF;
      IF claimed AND NOT (by_full_reader AND readers > 0) THEN
        buffer := format('pgtrickle_changes.%I', 'changes_' || source);
        drained := false;
        IF truncate_drained
           AND coalesce(pg_relation_size(to_regclass(buffer)) >= 8 * 8192
                        AND has_table_privilege(to_regclass(buffer), 'TRUNCATE'), false) THEN
          IF readers > 0 THEN
            EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %s b WHERE b.__pgt_xid >= $1)', buffer)
              INTO drained USING none_from;
          ELSE
            drained := true;
          END IF;
        END IF;
        IF drained THEN
          BEGIN
            EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE NOWAIT', buffer);
            EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM (SELECT b.__pgt_xid, max(b.__pgt_seq) AS seq'
                           ' FROM %s b GROUP BY b.__pgt_xid) b, pgtrickle.pgt_frontiers f'
                           ' JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = f.pgt_id'
                           ' WHERE f.source_relid = $1 AND f.frontier IS NOT NULL'
                           ' AND s.effective_mode = ''DIFFERENTIAL'''
                           ' AND pgtrickle.unconsumed(b.__pgt_xid, b.seq, f.frontier,'
                           ' f.own_xid, f.own_seq))', buffer)
              INTO drained USING source;
            IF NOT drained THEN
              -- Leaves the block through its handler, which releases the lock again: the DELETE
              -- below must not keep the writers of the source waiting.
              RAISE EXCEPTION USING ERRCODE = 'lock_not_available';
            END IF;
            EXECUTE format('INSERT INTO pgtrickle.pgt_missed_changes (pgt_id, source_relid)'
                           ' SELECT f.pgt_id, $1 FROM pgtrickle.pgt_frontiers f'
                           ' JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = f.pgt_id'
                           ' WHERE f.source_relid = $1 AND s.effective_mode = ''FULL'''
                           ' AND EXISTS (SELECT 1 FROM (SELECT g.__pgt_xid, max(g.__pgt_seq) AS seq'
                           ' FROM %s g GROUP BY g.__pgt_xid) g WHERE pgtrickle.unconsumed('
                           'g.__pgt_xid, g.seq, f.frontier, f.own_xid, f.own_seq))'
                           ' ON CONFLICT DO NOTHING', buffer)
              USING source;
            EXECUTE format('TRUNCATE %s', buffer);
          EXCEPTION WHEN lock_not_available THEN
            drained := false;
          END;
        END IF;
        IF NOT drained THEN
          EXECUTE format('WITH consumers AS MATERIALIZED ('
                         ' SELECT f.frontier, f.own_xid, f.own_seq FROM pgtrickle.pgt_frontiers f'
                         ' JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = f.pgt_id'
                         ' WHERE f.source_relid = $1 AND f.frontier IS NOT NULL'
                         ' AND s.effective_mode = ''DIFFERENTIAL''),'
                         ' bounds AS MATERIALIZED (SELECT min(pg_snapshot_xmin(c.frontier)) AS all_before,'
                         ' min(pg_snapshot_xmax(c.frontier)) AS none_from FROM consumers c),'
                         ' gone AS (DELETE FROM %s b USING bounds h WHERE h.all_before IS NULL'
                         ' OR b.__pgt_xid < h.all_before OR (b.__pgt_xid < h.none_from AND NOT EXISTS ('
                         ' SELECT 1 FROM consumers c WHERE pgtrickle.unconsumed(b.__pgt_xid,'
                         ' b.__pgt_seq, c.frontier, c.own_xid, c.own_seq)))'
                         ' RETURNING b.__pgt_xid, b.__pgt_seq),'
                         ' gone_by_xact AS (SELECT g.__pgt_xid, max(g.__pgt_seq) AS seq FROM gone g'
                         ' GROUP BY g.__pgt_xid)'
                         ' INSERT INTO pgtrickle.pgt_missed_changes (pgt_id, source_relid)'
                         ' SELECT f.pgt_id, $1 FROM pgtrickle.pgt_frontiers f'
                         ' JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = f.pgt_id'
                         ' WHERE f.source_relid = $1 AND s.effective_mode = ''FULL'''
                         ' AND EXISTS (SELECT 1 FROM gone_by_xact g WHERE pgtrickle.unconsumed(g.__pgt_xid,'
                         ' g.seq, f.frontier, f.own_xid, f.own_seq))'
                         ' ON CONFLICT DO NOTHING', buffer)
            USING source;
        END IF;
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
