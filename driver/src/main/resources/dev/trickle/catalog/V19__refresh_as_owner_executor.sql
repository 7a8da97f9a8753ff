-- Trickle catalog, version 19: a refresh evaluates the defining query inside a SECURITY DEFINER
-- function owned by the stream table's owner, and the one-round-trip refresh is gone.
--
-- Before, a refresh switched the transaction's role to the owner (SET LOCAL ROLE, V14's
-- pgtrickle.refresh_as_owner); code in the defining query could RESET ROLE and act as the
-- refreshing session's role (a superuser's scheduler). PostgreSQL refuses SET ROLE, RESET ROLE,
-- SET SESSION AUTHORIZATION and set_config('role', ...) while a SECURITY DEFINER function runs, so
-- now every statement of a refresh that evaluates the query (delta fill, differential program,
-- FULL recompute, population) runs inside one: the owner's executor, pgtrickle."run_as_<owner oid>",
-- created on first use by pgtrickle.owner_executor(storage) below, owned by the owner, EXECUTE
-- revoked from PUBLIC (the owner, members of the owner's role and superusers can call it: nobody
-- who could not act as the owner anyway). It runs the statements it is given, in order, with the
-- stream table's search_path, and returns per statement the row count or, for a query, its first
-- row. A batch the caller marks as planned once (a differential program, a FULL apply: statements
-- without results) runs as a PL/pgSQL function of the session made from its text (pg_temp."__pgt_batch_<md5>", the owner's), so its statements
-- are planned once per session as the statements sent by the client were; a batch with a query
-- (the delta fill and its report) runs statement by statement with EXECUTE. The storage's guard lets writes through
-- while it runs (pgtrickle.maintenance is 'on' from its start to its end; an error rolls the
-- setting back with the refresh's transaction or savepoint).
DROP FUNCTION IF EXISTS pgtrickle.refresh_as_owner(oid);
DROP FUNCTION IF EXISTS pgtrickle.confirm_ahead(boolean, text);

-- The executor of the owner of storage table `storage`, created (owned by that owner, EXECUTE
-- revoked from PUBLIC) when missing or not the owner's; returns its qualified name. The caller must
-- be able to act as the owner (a superuser, the owner or a member inheriting its rights), else
-- 42501 naming the stream table and the owner. Work tables of the session (pg_temp."__pgt_...")
-- that a refresh of another owner's stream table left and this owner could not use are dropped.
CREATE FUNCTION pgtrickle.owner_executor(storage oid)
RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
  owner_oid oid;
  owner_name text;
  executor text;
  signature text;
  definition text;
  work_table text;
BEGIN
  SELECT c.relowner, pg_catalog.pg_get_userbyid(c.relowner) INTO owner_oid, owner_name
    FROM pg_catalog.pg_class c WHERE c.oid = storage;
  IF owner_oid IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = '42P01',
      MESSAGE = pg_catalog.format('the storage table of a stream table (oid %s) does not exist',
                                  storage);
  END IF;
  IF NOT pg_catalog.pg_has_role(current_user, owner_oid, 'USAGE') THEN
    RAISE EXCEPTION USING ERRCODE = '42501',
      MESSAGE = pg_catalog.format(
        'role %I cannot refresh stream table %s: a refresh runs as the stream table''s owner %I,'
        ' and %I is neither a superuser nor a member of that role inheriting its rights',
        current_user, storage::regclass, owner_name, current_user),
      HINT = pg_catalog.format('Refresh it as %I (or a member of it), or let a scheduler running'
                               ' as such a role refresh it.', owner_name);
  END IF;
  executor := 'run_as_' || owner_oid;
  signature := pg_catalog.format('pgtrickle.%I(text, text[], boolean[], boolean)', executor);
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p
                  WHERE p.pronamespace = 'pgtrickle'::regnamespace AND p.proname = executor
                    AND p.proowner = owner_oid AND p.prosecdef) THEN
    definition := pg_catalog.format(
      'CREATE FUNCTION pgtrickle.%I(path text, statements text[], queries boolean[],'
      ' plan_once boolean)'
      ' RETURNS TABLE (ordinal integer, row_count bigint, columns text[], first_row text[])'
      ' LANGUAGE plpgsql SECURITY DEFINER'
      ' SET search_path = pg_catalog, pg_temp AS %L',
      executor, $body$
DECLARE
  n bigint;
  batch text;
  batch_oid oid;
  code text := '';
  counts bigint[];
BEGIN
  PERFORM pg_catalog.set_config('search_path', path, true),
          pg_catalog.set_config('pgtrickle.maintenance', 'on', true);
  IF plan_once AND NOT coalesce(true = ANY (queries), false) THEN
    -- Statements without results (the caller says so): run them as one function of the session whose statements PL/pgSQL plans once
    -- per session, named by a hash of the text. Created here, it is the owner's; one of that name
    -- owned by another role is not used.
    batch := 'pg_temp.' || pg_catalog.quote_ident('__pgt_batch_'
             || pg_catalog.md5(path || E'\n' || pg_catalog.array_to_string(statements, E'\n;\n')));
    batch_oid := pg_catalog.to_regprocedure(batch || '()');
    IF batch_oid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p
        WHERE p.oid = batch_oid AND p.proowner = (SELECT r.oid FROM pg_catalog.pg_roles r
                                                   WHERE r.rolname = current_user)) THEN
      EXECUTE 'DROP FUNCTION ' || batch || '()';
      batch_oid := NULL;
    END IF;
    IF batch_oid IS NULL THEN
      FOR i IN 1 .. coalesce(pg_catalog.array_length(statements, 1), 0) LOOP
        code := code || statements[i] || E'\n;\nGET DIAGNOSTICS __pgt_n = ROW_COUNT;\n'
                || E'__pgt_counts := __pgt_counts || __pgt_n;\n';
      END LOOP;
      EXECUTE pg_catalog.format(
        'CREATE FUNCTION %s() RETURNS bigint[] LANGUAGE plpgsql AS %L', batch,
        E'#variable_conflict use_column\nDECLARE __pgt_n bigint; __pgt_counts bigint[] := ''{}'';\n'
        || E'BEGIN\n' || code || E'RETURN __pgt_counts;\nEND');
    END IF;
    EXECUTE 'SELECT ' || batch || '()' INTO counts;
    FOR i IN 1 .. coalesce(pg_catalog.array_length(statements, 1), 0) LOOP
      ordinal := i;
      row_count := counts[i];
      columns := NULL;
      first_row := NULL;
      RETURN NEXT;
    END LOOP;
    PERFORM pg_catalog.set_config('pgtrickle.maintenance', 'off', true);
    RETURN;
  END IF;
  FOR i IN 1 .. coalesce(pg_catalog.array_length(statements, 1), 0) LOOP
    ordinal := i;
    IF queries[i] THEN
      EXECUTE 'SELECT pg_catalog.array_agg(e.key ORDER BY e.ordinality),'
              ' pg_catalog.array_agg(e.value ORDER BY e.ordinality) FROM (SELECT __pgt_q FROM ('
              || statements[i] || E'\n) AS __pgt_q LIMIT 1) AS __pgt_f,'
              ' pg_catalog.json_each_text(pg_catalog.row_to_json(__pgt_f.__pgt_q))'
              ' WITH ORDINALITY AS e'
        INTO columns, first_row;
      row_count := NULL;
    ELSE
      EXECUTE statements[i];
      GET DIAGNOSTICS n = ROW_COUNT;
      row_count := n;
      columns := NULL;
      first_row := NULL;
    END IF;
    RETURN NEXT;
  END LOOP;
  PERFORM pg_catalog.set_config('pgtrickle.maintenance', 'off', true);
END
$body$);
    BEGIN
      EXECUTE 'DROP FUNCTION IF EXISTS ' || signature;
      EXECUTE definition;
    EXCEPTION WHEN unique_violation THEN
      -- A concurrent refresh of the same owner created it between this drop and this creation,
      -- and has committed since: replace it, so that what runs is this definition, the owner's.
      EXECUTE 'DROP FUNCTION ' || signature;
      EXECUTE definition;
    END;
    EXECUTE 'REVOKE ALL ON FUNCTION ' || signature || ' FROM PUBLIC';
    EXECUTE pg_catalog.format('ALTER FUNCTION %s OWNER TO %I', signature, owner_name);
  END IF;
  FOR work_table IN
    SELECT c.relname FROM pg_catalog.pg_class c
     WHERE c.relnamespace = pg_catalog.pg_my_temp_schema() AND c.relkind = 'r'
       AND c.relname LIKE '\_\_pgt\_%' AND c.relowner <> owner_oid
       AND NOT pg_catalog.pg_has_role(owner_oid, c.relowner, 'USAGE')
  LOOP
    EXECUTE pg_catalog.format('DROP TABLE IF EXISTS pg_temp.%I', work_table);
  END LOOP;
  RETURN pg_catalog.format('pgtrickle.%I', executor);
END
$fn$;

-- Drops the executors of roles that own no stream table any more, so the role can be dropped.
CREATE FUNCTION pgtrickle.forget_owner_executors()
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  executor text;
BEGIN
  FOR executor IN
    SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'pgtrickle'::regnamespace AND p.proname LIKE 'run\_as\_%'
       AND NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_stream_tables s
                         JOIN pg_catalog.pg_class c ON c.oid = s.pgt_relid
                        WHERE c.relowner = p.proowner)
  LOOP
    EXECUTE 'DROP FUNCTION IF EXISTS ' || executor;
  END LOOP;
END
$fn$;
