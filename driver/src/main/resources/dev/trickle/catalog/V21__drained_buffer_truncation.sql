-- Trickle catalog, version 21: a drained change buffer is truncated instead of deleted row by row.
--
-- After a refresh of a few thousand changed rows, the cleanup's DELETE of the consumed buffer rows
-- cost about as much as applying them (a dead tuple, a WAL record and a later VACUUM per row).
-- When every row of a buffer is consumed by every DIFFERENTIAL consumer, TRUNCATE empties it at a
-- constant cost, and leaves nothing to vacuum. It is used only when:
--   * the caller says the cleanup runs in a transaction that ends right after it
--     (truncate_drained): TRUNCATE holds the buffer's ACCESS EXCLUSIVE lock, which blocks every
--     write to the source, until the transaction ends;
--   * the buffer has at least 8 pages: below that the DELETE costs less than a new file;
--   * the role may truncate the buffer;
--   * the lock is free right now (NOWAIT): no transaction that wrote the source is running, so
--     every row in the buffer belongs to a finished transaction, and a writer that comes later
--     waits for this short transaction and writes into the new file.
-- Otherwise, or when the check under the lock finds a row some consumer still needs, the lock is
-- released again (the block that took it is rolled back) and the DELETE runs, as before.
-- TRUNCATE is not MVCC-safe: a transaction whose snapshot predates it sees the buffer empty. It
-- is used only when no consumer needs any row of the buffer (checked under the lock), so what such
-- a snapshot would have read is what its refresh consumes nothing of. FULL consumers that had not
-- seen a row are recorded in pgt_missed_changes first, as the DELETE records them.
DROP FUNCTION IF EXISTS pgtrickle.clean_up_changes(oid[]);
CREATE OR REPLACE FUNCTION pgtrickle.clean_up_changes(sources oid[],
                                                      truncate_drained boolean DEFAULT false)
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
            EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %s b, pgtrickle.pgt_frontiers f'
                           ' JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = f.pgt_id'
                           ' WHERE f.source_relid = $1 AND f.frontier IS NOT NULL'
                           ' AND s.effective_mode = ''DIFFERENTIAL'''
                           ' AND pgtrickle.unconsumed(b.__pgt_xid, b.__pgt_seq, f.frontier,'
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
                           ' AND EXISTS (SELECT 1 FROM %s g WHERE pgtrickle.unconsumed('
                           'g.__pgt_xid, g.__pgt_seq, f.frontier, f.own_xid, f.own_seq))'
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
                         ' gone AS (DELETE FROM %s b WHERE NOT EXISTS ('
                         ' SELECT 1 FROM consumers c WHERE pgtrickle.unconsumed(b.__pgt_xid,'
                         ' b.__pgt_seq, c.frontier, c.own_xid, c.own_seq))'
                         ' RETURNING b.__pgt_xid, b.__pgt_seq)'
                         ' INSERT INTO pgtrickle.pgt_missed_changes (pgt_id, source_relid)'
                         ' SELECT f.pgt_id, $1 FROM pgtrickle.pgt_frontiers f'
                         ' JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = f.pgt_id'
                         ' WHERE f.source_relid = $1 AND s.effective_mode = ''FULL'''
                         ' AND EXISTS (SELECT 1 FROM gone g WHERE pgtrickle.unconsumed(g.__pgt_xid,'
                         ' g.__pgt_seq, f.frontier, f.own_xid, f.own_seq))'
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
