-- Trickle catalog, version 29: the cleanup of a change buffer costs one scan of the buffer, however
-- many stream tables read the source.
--
-- The cleanup deletes the buffer rows every DIFFERENTIAL consumer has consumed. Until now it asked,
-- row by row, whether some consumer had not (an anti-join of the buffer with the consumers), and
-- recorded the FULL consumers that had not seen a deleted row by asking the same of every deleted
-- row. With a source read by many stream tables, a buffer holding a batch that only some of them
-- have consumed (every refresh but the last one's) cost a visibility test per row and consumer and
-- deleted nothing. Now:
--   * a row written by a transaction that ended before every consumer's frontier (its xid below the
--     least xmin of their snapshots) is consumed by all of them and deleted without a test: such a
--     row is visible in every frontier, and a frontier's own transaction (own_xid) was running
--     when its snapshot was taken, so its xid is never below that snapshot's xmin;
--   * a row whose xid is not below the least xmax of their snapshots is visible in none of those
--     and kept without a test;
--   * only the rows between the two are tested against each consumer, as before;
--   * whether a row is unconsumed by a consumer depends on its transaction and, for the consumer's
--     own transaction, on its greatest sequence number; so the FULL consumers' check and the check
--     before truncating a drained buffer test each writing transaction once (its xid with its
--     greatest __pgt_seq) instead of each row.
CREATE OR REPLACE FUNCTION pgtrickle.clean_up_changes(sources oid[], truncate_drained boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  source oid;
  buffer text;
  drained boolean;
  failures text;
BEGIN
  FOREACH source IN ARRAY sources LOOP
    BEGIN
      PERFORM 1 FROM pgtrickle.pgt_change_buffers b WHERE b.source_relid = source
        FOR NO KEY UPDATE SKIP LOCKED;
      IF FOUND THEN
        buffer := format('pgtrickle_changes.%I', 'changes_' || source);
        drained := false;
        IF truncate_drained
           AND coalesce(pg_relation_size(to_regclass(buffer)) >= 8 * 8192
                        AND has_table_privilege(to_regclass(buffer), 'TRUNCATE'), false) THEN
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
