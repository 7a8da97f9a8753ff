-- Trickle catalog, version 31: a refresh no longer fails on another role's work tables in its
-- session.
--
-- An IMMEDIATE stream table's triggers run as its owner and make their work tables in the writing
-- session. When that session then refreshed a stream table of a role that is not a member of the
-- other owner, pgtrickle.owner_executor tried to drop those tables (V19: work tables this owner
-- could not use) and the refresh failed with "must be owner of table". A table it may not drop is
-- now left where it is.

-- As in V19, the drop of another role's work table skipping a table this role may not drop.
CREATE OR REPLACE FUNCTION pgtrickle.owner_executor(storage oid)
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
    BEGIN
      EXECUTE pg_catalog.format('DROP TABLE IF EXISTS pg_temp.%I', work_table);
    EXCEPTION WHEN insufficient_privilege THEN
      -- Another role's, made by its IMMEDIATE triggers when this session wrote one of its
      -- sources: not this owner's to drop, and under a name of another stream table.
      NULL;
    END;
  END LOOP;
  RETURN pg_catalog.format('pgtrickle.%I', executor);
END
$fn$;

