-- Trickle catalog, version 8: a bounded look into a stream table's change buffers.
--
-- When the buffers hold a small batch of changes for a stream table and no truncation (the usual
-- case), a refresh sends its differential program in the same round trip as the delta fill, under
-- a savepoint, instead of waiting for the fill's counts first; and a refresh deletes consumed
-- buffer rows only once a buffer has grown. Both need the buffers' sizes beforehand; counting
-- stops at the bound, so a large buffer costs no more than the bound.

-- Per captured source of the stream table: the rows in its change buffer and, of those, the rows
-- the stream table has not consumed (by its stored frontier, as pgtrickle.unconsumed decides),
-- both counted among the first bound rows; and whether a row not consumed marks a truncation.
-- NULLs when the buffer does not exist.
CREATE FUNCTION pgtrickle.buffered_changes(pgt_id bigint, bound integer)
RETURNS TABLE (source_oid oid, buffered_rows bigint, pending_rows bigint, has_truncation boolean)
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  dep record;
BEGIN
  FOR dep IN SELECT d.source_relid,
                    to_regclass(format('pgtrickle_changes.%I', b.buffer_name)) AS buffer,
                    f.frontier, f.own_xid, f.own_seq
               FROM pgtrickle.pgt_dependencies d
               JOIN pgtrickle.pgt_change_buffers b ON b.source_relid = d.source_relid
               LEFT JOIN pgtrickle.pgt_frontiers f
                      ON f.pgt_id = d.pgt_id AND f.source_relid = d.source_relid
              WHERE d.pgt_id = buffered_changes.pgt_id
  LOOP
    source_oid := dep.source_relid;
    buffered_rows := NULL;
    pending_rows := NULL;
    has_truncation := NULL;
    IF dep.buffer IS NOT NULL THEN
      EXECUTE format('SELECT count(*), count(*) FILTER (WHERE pending),'
                     ' coalesce(bool_or(pending AND op = ''T''), false)'
                     ' FROM (SELECT __pgt_op AS op,'
                     ' pgtrickle.unconsumed(__pgt_xid, __pgt_seq, $2, $3, $4) AS pending'
                     ' FROM %s LIMIT $1) b', dep.buffer)
        INTO buffered_rows, pending_rows, has_truncation
        USING bound, dep.frontier, dep.own_xid, dep.own_seq;
    END IF;
    RETURN NEXT;
  END LOOP;
END
$fn$;
