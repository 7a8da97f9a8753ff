-- Trickle catalog, version 14: a refresh runs as the stream table's owner, and the scheduler's
-- leadership and the change-buffer cleanup lock are things only roles with rights on the catalog
-- can take.
--
-- pgtrickle.refresh_as_owner(storage) is called by every refresh in the statement that takes its
-- frontier snapshot, before any statement that evaluates the defining query: it switches the
-- transaction to the role that owns the storage table (SET LOCAL ROLE, as REFRESH MATERIALIZED
-- VIEW runs as the view's owner) and returns the role setting it replaced, which the refresh puts
-- back before it records its success (a rollback puts it back by itself). It is SECURITY INVOKER
-- on purpose: it can only switch to a role the session may switch to anyway. A session that may
-- not (neither a superuser nor a member of the owner's role) gets 42501 naming the stream table
-- and its owner. Work tables of the session (pg_temp."__pgt_..."), which a refresh of another
-- stream table left owned by another role, are dropped first when the owner could not use them.
-- No SET clause: a function with one would undo the role switch when it returns.
CREATE FUNCTION pgtrickle.refresh_as_owner(storage oid)
RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  caller text := pg_catalog.current_setting('role');
  owner_oid oid;
  owner_name text;
  work_table text;
BEGIN
  SELECT c.relowner, pg_catalog.pg_get_userbyid(c.relowner) INTO owner_oid, owner_name
    FROM pg_catalog.pg_class c WHERE c.oid = storage;
  IF owner_oid IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = '42P01',
      MESSAGE = pg_catalog.format('the storage table of a stream table (oid %s) does not exist',
                                  storage);
  END IF;
  IF NOT pg_catalog.pg_has_role(session_user, owner_oid, 'MEMBER') THEN
    RAISE EXCEPTION USING ERRCODE = '42501',
      MESSAGE = pg_catalog.format(
        'role %I cannot refresh stream table %s: a refresh runs as the stream table''s owner %I,'
        ' and %I is neither a superuser nor a member of that role',
        session_user, storage::regclass, owner_name, session_user),
      HINT = pg_catalog.format('Refresh it as %I (or a member of it), or let a scheduler running'
                               ' as such a role refresh it.', owner_name);
  END IF;
  FOR work_table IN
    SELECT c.relname FROM pg_catalog.pg_class c
     WHERE c.relnamespace = pg_catalog.pg_my_temp_schema() AND c.relkind = 'r'
       AND c.relname LIKE '\_\_pgt\_%' AND c.relowner <> owner_oid
       AND NOT pg_catalog.pg_has_role(owner_oid, c.relowner, 'USAGE')
  LOOP
    EXECUTE pg_catalog.format('DROP TABLE IF EXISTS pg_temp.%I', work_table);
  END LOOP;
  PERFORM pg_catalog.set_config('role', owner_name, true);
  RETURN caller;
END
$fn$;

-- Scheduler leadership: one row naming the backend of the leading scheduler's control connection.
-- A scheduler leads when the row names its own backend, or takes it over when the row names none
-- or a backend that no longer runs (pg_stat_activity; the backend's start time too, when this role
-- may see it, so a reused process id is not mistaken for the old leader). A leader whose process
-- dies loses its backend with its connection, as it lost the advisory lock that led before; but
-- taking the row needs UPDATE on this table, which only the catalog's owner (and superusers) have,
-- where anyone able to connect could hold an advisory lock.
CREATE TABLE pgtrickle.pgt_scheduler_leader (
  singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  pid           integer,
  backend_start timestamptz,
  since         timestamptz
);
INSERT INTO pgtrickle.pgt_scheduler_leader DEFAULT VALUES;

-- True when the calling backend leads now (it took the row, or already held it).
CREATE FUNCTION pgtrickle.take_scheduler_leadership()
RETURNS boolean
LANGUAGE sql AS $fn$
  WITH taken AS (
    UPDATE pgtrickle.pgt_scheduler_leader l
       SET pid = pg_catalog.pg_backend_pid(),
           backend_start = (SELECT a.backend_start FROM pg_catalog.pg_stat_activity a
                             WHERE a.pid = pg_catalog.pg_backend_pid()),
           since = pg_catalog.now()
     WHERE l.pid IS DISTINCT FROM pg_catalog.pg_backend_pid()
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a
                        WHERE a.pid = l.pid
                          AND (a.backend_start IS NULL OR l.backend_start IS NULL
                               OR a.backend_start = l.backend_start))
    RETURNING true)
  SELECT EXISTS (SELECT 1 FROM taken)
      OR EXISTS (SELECT 1 FROM pgtrickle.pgt_scheduler_leader
                  WHERE pid = pg_catalog.pg_backend_pid())
$fn$;

-- Gives the leadership up when the calling backend holds it.
CREATE FUNCTION pgtrickle.resign_scheduler_leadership()
RETURNS void
LANGUAGE sql AS $fn$
  UPDATE pgtrickle.pgt_scheduler_leader SET pid = NULL, backend_start = NULL, since = NULL
   WHERE pid = pg_catalog.pg_backend_pid()
$fn$;

-- The change-buffer cleanup of a source is serialized by a row lock on the source's row in
-- pgt_change_buffers (taken with SKIP LOCKED: a busy buffer is left for the next cleanup), which
-- needs UPDATE on that table, instead of an advisory lock anyone could hold. Otherwise as in V10.
CREATE OR REPLACE FUNCTION pgtrickle.clean_up_changes(sources oid[])
RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  source oid;
  failures text;
BEGIN
  FOREACH source IN ARRAY sources LOOP
    BEGIN
      PERFORM 1 FROM pgtrickle.pgt_change_buffers b WHERE b.source_relid = source
        FOR NO KEY UPDATE SKIP LOCKED;
      IF FOUND THEN
        EXECUTE format('WITH consumers AS MATERIALIZED ('
                       ' SELECT f.frontier, f.own_xid, f.own_seq FROM pgtrickle.pgt_frontiers f'
                       ' JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = f.pgt_id'
                       ' WHERE f.source_relid = $1 AND f.frontier IS NOT NULL'
                       ' AND s.effective_mode = ''DIFFERENTIAL''),'
                       ' gone AS (DELETE FROM pgtrickle_changes.%I b WHERE NOT EXISTS ('
                       ' SELECT 1 FROM consumers c WHERE pgtrickle.unconsumed(b.__pgt_xid,'
                       ' b.__pgt_seq, c.frontier, c.own_xid, c.own_seq))'
                       ' RETURNING b.__pgt_xid, b.__pgt_seq)'
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
