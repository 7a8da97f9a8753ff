-- Trickle catalog, version 12: a refresh runs as the stream table's owner, and the scheduler's
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
