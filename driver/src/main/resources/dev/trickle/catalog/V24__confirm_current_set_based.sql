-- Trickle catalog, version 24: confirm_current() in one statement.
--
-- It moved the data_timestamp of idle stream tables one by one, each in a subtransaction (a NOWAIT
-- lock of the storage inside an exception block). A pass of the scheduler confirming more than 64
-- stream tables overflowed its subtransaction cache while it ran, which makes every snapshot on
-- the server slower, and cost about 50 ms with 1,000 stream tables.
--
-- The guarantee is kept without subtransactions: a stream table whose storage another session
-- holds or waits for in SHARE UPDATE EXCLUSIVE mode (a refresh takes that lock before its
-- snapshot) is skipped, and so is one whose catalog row another transaction holds (a refresh
-- locks its row): SKIP LOCKED, never a wait. A refresh that takes the storage lock after the check
-- has taken its snapshot before this transaction commits, so its lock of the catalog row waits for
-- this update and then fails with 40001, and the engine runs it again with a new snapshot: it
-- never commits an older time over this one unnoticed.
CREATE OR REPLACE FUNCTION pgtrickle.confirm_current(ids bigint[], at timestamptz)
RETURNS integer
LANGUAGE sql AS $fn$
  WITH busy AS (
    SELECT l.relation FROM pg_catalog.pg_locks l
     WHERE l.locktype = 'relation'
       AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d
                          WHERE d.datname = pg_catalog.current_database())
       AND l.mode = 'ShareUpdateExclusiveLock'
       AND l.pid <> pg_catalog.pg_backend_pid()
  ), idle AS (
    SELECT s.pgt_id FROM pgtrickle.pgt_stream_tables s
     WHERE s.pgt_id = ANY (ids) AND s.status = 'ACTIVE' AND s.is_populated
       AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = s.pgt_relid)
       AND s.pgt_relid NOT IN (SELECT b.relation FROM busy b WHERE b.relation IS NOT NULL)
     ORDER BY s.pgt_id
       FOR NO KEY UPDATE SKIP LOCKED
  ), confirmed AS (
    UPDATE pgtrickle.pgt_stream_tables s SET data_timestamp = greatest(s.data_timestamp, at)
      FROM idle i WHERE s.pgt_id = i.pgt_id
    RETURNING 1
  )
  SELECT count(*)::integer FROM confirmed
$fn$;
