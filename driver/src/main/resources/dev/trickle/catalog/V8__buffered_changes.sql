-- Trickle catalog, version 8: a bounded look into a stream table's change buffers.
--
-- When every buffer of a stream table holds a small batch of changes and no truncation (the usual
-- case), a refresh sends its differential program in the same round trip as the delta fill, under
-- a savepoint, instead of waiting for the fill's counts first. Deciding that beforehand needs the
-- buffers' sizes; counting stops at the bound, so a large buffer costs no more than the bound.

-- Per captured source of the stream table: the rows in its change buffer (at most bound) and
-- whether one of those rows marks a truncation. NULLs when the buffer does not exist.
CREATE FUNCTION pgtrickle.buffered_changes(pgt_id bigint, bound integer)
RETURNS TABLE (source_oid oid, buffered_rows bigint, has_truncation boolean)
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  dep record;
BEGIN
  FOR dep IN SELECT d.source_relid, to_regclass(format('pgtrickle_changes.%I', b.buffer_name)) AS buffer
               FROM pgtrickle.pgt_dependencies d
               JOIN pgtrickle.pgt_change_buffers b ON b.source_relid = d.source_relid
              WHERE d.pgt_id = buffered_changes.pgt_id
  LOOP
    source_oid := dep.source_relid;
    buffered_rows := NULL;
    has_truncation := NULL;
    IF dep.buffer IS NOT NULL THEN
      EXECUTE format('SELECT count(*), coalesce(bool_or(__pgt_op = ''T''), false)'
                     ' FROM (SELECT __pgt_op FROM %s LIMIT $1) b', dep.buffer)
        INTO buffered_rows, has_truncation USING bound;
    END IF;
    RETURN NEXT;
  END LOOP;
END
$fn$;
