-- Trickle catalog, version 4: what the background scheduler (dev.trickle.scheduler) needs beyond
-- version 1's pgt_scheduler and pgt_jobs tables.

-- Finished jobs are pruned by age.
CREATE INDEX pgt_jobs_enqueued_idx ON pgtrickle.pgt_jobs (enqueued_at);

-- The stream tables with changes waiting for them: a row in the change buffer of one of their
-- captured sources that their frontier has not consumed. One call per scheduler pass; buffers hold
-- only unconsumed rows (consumed ones are cleaned up), so each check stops at its first row.
-- STABLE: every buffer is read with the calling statement's snapshot.
CREATE FUNCTION pgtrickle.pending_stream_tables()
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
      ' WHERE NOT pg_visible_in_snapshot(c.__pgt_xid, f.frontier))', b.buffer_name)
      USING b.source_relid;
  END LOOP;
END
$fn$;

-- Moves data_timestamp of idle stream tables (nothing waiting anywhere upstream at time "at") to
-- "at": their content is the query's result then. Each is confirmed only if its storage lock is
-- free, taken NOWAIT as every refresh takes it before its snapshot: so no refresh that could
-- still commit an older time is running, and none that starts afterwards (waiting for this
-- transaction) conflicts with the update. Returns how many were confirmed.
CREATE FUNCTION pgtrickle.confirm_current(ids bigint[], at timestamptz)
RETURNS integer
LANGUAGE plpgsql AS $fn$
DECLARE
  r record;
  confirmed integer := 0;
BEGIN
  FOR r IN
    SELECT s.pgt_id, s.pgt_relid FROM pgtrickle.pgt_stream_tables s
     WHERE s.pgt_id = ANY (ids) AND s.status = 'ACTIVE' AND s.is_populated
       AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = s.pgt_relid)
     ORDER BY s.pgt_id
  LOOP
    BEGIN
      EXECUTE format('LOCK TABLE %s IN SHARE UPDATE EXCLUSIVE MODE NOWAIT', r.pgt_relid::regclass);
      UPDATE pgtrickle.pgt_stream_tables SET data_timestamp = greatest(data_timestamp, at)
       WHERE pgt_id = r.pgt_id;
      confirmed := confirmed + 1;
    EXCEPTION WHEN lock_not_available THEN
      NULL;  -- being refreshed: the refresh sets the time itself
    END;
  END LOOP;
  RETURN confirmed;
END
$fn$;

-- Diamonds: a stream table (the convergence point, with diamond_consistency = 'atomic') whose
-- direct sources share an upstream relation (a base table or a stream table), so two paths from
-- that relation meet again in it. The group is the convergence point and every stream table on a
-- path from a shared relation to it (a shared stream table included); the scheduler refreshes the
-- group in one transaction. Replaces version 2's definition, which knew only stream tables as
-- shared sources.
CREATE OR REPLACE FUNCTION pgtrickle.diamond_groups()
RETURNS TABLE (group_id integer, member_name text, is_convergence boolean, schedule_policy text)
LANGUAGE sql STABLE AS $fn$
  WITH RECURSIVE edges AS (
    SELECT s.pgt_id AS child, s.pgt_relid AS child_relid, d.source_relid AS parent
      FROM pgtrickle.pgt_dependencies d
      JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = d.pgt_id
     WHERE d.source_kind <> 'VIEW'
  ),
  -- (node, ancestor): ancestor is the relation node itself or upstream of it
  reach (node, ancestor) AS (
    SELECT DISTINCT e.parent, e.parent FROM edges e
    UNION
    SELECT r.node, e.parent FROM reach r JOIN edges e ON e.child_relid = r.ancestor
  ),
  -- per convergence point and direct source: the relations reachable upstream through it
  through (convergence, parent, ancestor) AS (
    SELECT e.child, e.parent, r.ancestor FROM edges e JOIN reach r ON r.node = e.parent
  ),
  shared AS (
    SELECT DISTINCT a.convergence, a.ancestor
      FROM through a
      JOIN through b
        ON b.convergence = a.convergence AND b.ancestor = a.ancestor AND b.parent <> a.parent
      JOIN pgtrickle.pgt_stream_tables c ON c.pgt_id = a.convergence
     WHERE c.diamond_consistency = 'atomic'
  ),
  members AS (
    SELECT DISTINCT t.convergence, m.pgt_id AS member
      FROM through t
      JOIN pgtrickle.pgt_stream_tables m ON m.pgt_relid = t.ancestor
     WHERE EXISTS (SELECT 1 FROM shared s JOIN reach r ON r.node = t.ancestor
                    AND r.ancestor = s.ancestor WHERE s.convergence = t.convergence)
    UNION
    SELECT DISTINCT s.convergence, s.convergence FROM shared s
  ),
  groups AS (
    SELECT convergence, dense_rank() OVER (ORDER BY convergence)::integer AS gid
      FROM (SELECT DISTINCT convergence FROM shared) g
  )
  SELECT g.gid, format('%I.%I', m.pgt_schema, m.pgt_name), mb.member = g.convergence,
         c.diamond_schedule_policy
    FROM members mb
    JOIN groups g ON g.convergence = mb.convergence
    JOIN pgtrickle.pgt_stream_tables m ON m.pgt_id = mb.member
    JOIN pgtrickle.pgt_stream_tables c ON c.pgt_id = g.convergence
   ORDER BY 1, 3, 2
$fn$;
