-- Trickle catalog, version 7: change-buffer cleanup as one function that never fails.
--
-- After a refresh commits, the buffer rows every consumer has consumed are deleted. Sent in the
-- same round trip as the refresh's COMMIT, the cleanup must not be able to fail that round trip:
-- a failure (a concurrent cleanup's deletes under REPEATABLE READ, a dropped buffer) is returned
-- as text for the driver to report as a warning, and the next refresh retries.

-- Deletes the consumed rows of each source's buffer; NULL when all went well, else the errors.
-- A buffer whose cleanup lock (advisory, class 0x54524B42, the oid's low 32 bits) another
-- transaction holds is skipped: that transaction is cleaning it.
CREATE FUNCTION pgtrickle.clean_up_changes(sources oid[])
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
                       ' pgtrickle.pgt_frontiers f WHERE f.source_relid = $1'
                       ' AND f.frontier IS NOT NULL AND pgtrickle.unconsumed(b.__pgt_xid,'
                       ' b.__pgt_seq, f.frontier, f.own_xid, f.own_seq))', 'changes_' || source)
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
