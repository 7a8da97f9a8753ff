-- Trickle catalog, version 25: change buffers keep row images in typed columns.
--
-- A buffer row held its row image as json (row_to_json), so that no schema change of the source
-- could break a write to it (V13). Building that text on every captured row, and parsing it again
-- in every refresh, was most of what capture and the delta fill cost per row. Now the buffer has a
-- typed column per source column, and the capture function copies the transition table's rows into
-- them as they are (n.*, by position). The json image stays as the fallback, taken for a statement
-- whenever the source may no longer have the columns the typed statement was written for:
--   * statements on a partition (their rows have the partition's layout): always json;
--   * a column dropped or added since (has_column_privilege by attribute number is NULL for a
--     dropped or missing column; a column added gets attribute number relnatts + 1): json;
--   * the source's file changed since (a rewrite by ALTER COLUMN TYPE, also TRUNCATE, VACUUM FULL,
--     CLUSTER): the column types are compared with pg_attribute, typed only when they are the same.
-- The first two are function calls without a query, so the check costs a write next to nothing;
-- the query runs only after a rewrite, until the capture is brought up to date again (every create
-- or alter of a stream table reading the source does that). A type change that rewrites nothing
-- is binary coercible, and the stored value is assigned back to the column's old type; only xml
-- has such a change (to text) without a way back, so a source with an xml column is captured as
-- json only. A renamed column changes nothing: the typed statement names no source column.
--
-- A buffer column is "__pgt_a<attnum>_t<type oid>" of the source column's type without typmod and
-- without domains (so a wider varchar or a domain dropped later still fits); a column is added
-- when the source gets one or changes one's type, and never dropped. A refresh reads a source
-- column from the typed column of its number and type now, from the json image for rows that have
-- one (dev.trickle.refresh.DeltaTables).

-- The type a buffer column holding values of type t is declared with: t's base type without
-- domains (for arrays, the array of the element's base type), printed without typmod.
CREATE OR REPLACE FUNCTION pgtrickle.buffer_column_type(t oid)
RETURNS text
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  base oid := t;
  element oid;
  next_base oid;
BEGIN
  LOOP
    SELECT typbasetype INTO next_base FROM pg_type WHERE oid = base;
    EXIT WHEN next_base IS NULL OR next_base = 0;
    base := next_base;
  END LOOP;
  SELECT typelem INTO element FROM pg_type WHERE oid = base AND typcategory = 'A';
  IF element IS NOT NULL AND element <> 0 THEN
    LOOP
      SELECT typbasetype INTO next_base FROM pg_type WHERE oid = element;
      EXIT WHEN next_base IS NULL OR next_base = 0;
      element := next_base;
    END LOOP;
    SELECT typarray INTO base FROM pg_type WHERE oid = element;
  END IF;
  RETURN format_type(base, -1);
END
$fn$;

-- (Re)creates the capture function of one source, pgtrickle_changes."capture_<oid>"(), and adds
-- the buffer columns it writes. It runs as its owner (SECURITY DEFINER) and has no SET clause,
-- so every name in it is schema-qualified, operators included (V15).
CREATE OR REPLACE FUNCTION pgtrickle.create_capture_function(source oid)
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  buffer text := format('pgtrickle_changes.%I', 'changes_' || source);
  col record;
  typed_possible boolean := true;
  typed_columns text[] := '{}';
  present text[] := '{}';
  types oid[] := '{}';
  added text[] := '{}';
  next_attnum int;
  filenode oid;
  guard text;
  insert_body text;
  update_body text;
  delete_body text;
  xid_source text := '(SELECT pg_catalog.pg_current_xact_id() AS id) AS x';
BEGIN
  FOR col IN
    SELECT a.attnum, a.atttypid, pgtrickle.buffer_column_type(a.atttypid) AS stored
      FROM pg_attribute a
     WHERE a.attrelid = source AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum
  LOOP
    IF col.stored IN ('xml', 'xml[]') THEN
      typed_possible := false;
    END IF;
    typed_columns := typed_columns || format('__pgt_a%s_t%s', col.attnum, col.atttypid);
    present := present || format(
      'pg_catalog.has_column_privilege(%s::pg_catalog.oid, %s::pg_catalog.int2, ''SELECT'')'
      ' IS NOT NULL', source, col.attnum);
    types := types || col.atttypid;
    IF typed_possible AND NOT EXISTS (
        SELECT FROM pg_attribute b
         WHERE b.attrelid = buffer::regclass
           AND b.attname = format('__pgt_a%s_t%s', col.attnum, col.atttypid)
           AND NOT b.attisdropped) THEN
      added := added || format('ADD COLUMN %I %s',
                               format('__pgt_a%s_t%s', col.attnum, col.atttypid), col.stored);
    END IF;
  END LOOP;
  IF typed_possible AND cardinality(added) > 0 THEN
    EXECUTE format('ALTER TABLE %s %s', buffer, array_to_string(added, ', '));
  END IF;
  IF cardinality(types) = 0 THEN
    typed_possible := false;
  END IF;
  SELECT c.relnatts + 1, pg_relation_filenode(c.oid) INTO next_attnum, filenode
    FROM pg_class c WHERE c.oid = source;

  IF typed_possible THEN
    guard := format(
      $guard$typed := TG_RELID OPERATOR(pg_catalog.=) %s::pg_catalog.oid AND %s
    AND pg_catalog.has_column_privilege(%s::pg_catalog.oid, %s::pg_catalog.int2, 'SELECT') IS NULL;
  IF typed AND COALESCE(
       pg_catalog.pg_relation_filenode(%s::pg_catalog.oid) OPERATOR(pg_catalog.<>) %s::pg_catalog.oid,
       true) THEN
    typed := (SELECT pg_catalog.array_agg(a.atttypid ORDER BY a.attnum)
                FROM pg_catalog.pg_attribute a
               WHERE a.attrelid OPERATOR(pg_catalog.=) %s::pg_catalog.oid
                 AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped)
             OPERATOR(pg_catalog.=) %L::pg_catalog.oid[];
  END IF;$guard$,
      source, array_to_string(present, E'\n    AND '), source, next_attnum, source,
      coalesce(filenode::text, 'NULL'), source, types::text);
    insert_body := format(
      $ins$IF typed THEN
      INSERT INTO %1$s (__pgt_xid, __pgt_op, %2$s)
        SELECT x.id, 'I', n.* FROM %3$s, __pgt_new n;
    ELSE
      INSERT INTO %1$s (__pgt_xid, __pgt_op, __pgt_row)
        SELECT x.id, 'I', pg_catalog.row_to_json(n.*) FROM %3$s, __pgt_new n;
    END IF;$ins$,
      buffer, (SELECT string_agg(quote_ident(t), ', ') FROM unnest(typed_columns) t), xid_source);
    update_body := format(
      $upd$IF typed THEN
      INSERT INTO %1$s (__pgt_xid, __pgt_op, %2$s)
        SELECT x.id, c.* FROM %3$s,
               (SELECT 'D'::pg_catalog."char" AS __pgt_op, o.* FROM __pgt_old o
                UNION ALL SELECT 'I', n.* FROM __pgt_new n) AS c;
    ELSE
      INSERT INTO %1$s (__pgt_xid, __pgt_op, __pgt_row)
        SELECT x.id, c.op, c.image
          FROM %3$s,
               (SELECT 'D'::pg_catalog."char" AS op, pg_catalog.row_to_json(o.*) AS image
                  FROM __pgt_old o
                UNION ALL SELECT 'I', pg_catalog.row_to_json(n.*) FROM __pgt_new n) AS c;
    END IF;$upd$,
      buffer, (SELECT string_agg(quote_ident(t), ', ') FROM unnest(typed_columns) t), xid_source);
    delete_body := format(
      $del$IF typed THEN
      INSERT INTO %1$s (__pgt_xid, __pgt_op, %2$s)
        SELECT x.id, 'D', o.* FROM %3$s, __pgt_old o;
    ELSE
      INSERT INTO %1$s (__pgt_xid, __pgt_op, __pgt_row)
        SELECT x.id, 'D', pg_catalog.row_to_json(o.*) FROM %3$s, __pgt_old o;
    END IF;$del$,
      buffer, (SELECT string_agg(quote_ident(t), ', ') FROM unnest(typed_columns) t), xid_source);
  ELSE
    guard := 'typed := false;';
    insert_body := format(
      'INSERT INTO %s (__pgt_xid, __pgt_op, __pgt_row)'
      ' SELECT x.id, ''I'', pg_catalog.row_to_json(n.*) FROM %s, __pgt_new n;',
      buffer, xid_source);
    update_body := format(
      $upd$INSERT INTO %1$s (__pgt_xid, __pgt_op, __pgt_row)
      SELECT x.id, c.op, c.image
        FROM %2$s,
             (SELECT 'D'::pg_catalog."char" AS op, pg_catalog.row_to_json(o.*) AS image
                FROM __pgt_old o
              UNION ALL SELECT 'I', pg_catalog.row_to_json(n.*) FROM __pgt_new n) AS c;$upd$,
      buffer, xid_source);
    delete_body := format(
      'INSERT INTO %s (__pgt_xid, __pgt_op, __pgt_row)'
      ' SELECT x.id, ''D'', pg_catalog.row_to_json(o.*) FROM %s, __pgt_old o;',
      buffer, xid_source);
  END IF;

  EXECUTE format(
    $body$CREATE OR REPLACE FUNCTION pgtrickle_changes.%I() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER AS $capture$
DECLARE
  typed pg_catalog.bool;
BEGIN
  IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
    INSERT INTO %s (__pgt_op) VALUES ('T');
  ELSE
  %s
  IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
    %s
  ELSIF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
    %s
  ELSE
    %s
  END IF;
  END IF;
  IF FOUND AND EXISTS (SELECT FROM pgtrickle.pgt_change_wakeups w
                        WHERE w.source_relid OPERATOR(pg_catalog.=) %s::pg_catalog.oid) THEN
    PERFORM pg_catalog.pg_notify('pgtrickle_changes', %L);
  END IF;
  RETURN NULL;
END
$capture$$body$,
    'capture_' || source, buffer, guard, insert_body, update_body, delete_body,
    source::text, source::text);
END
$fn$;

-- Existing captures get their typed columns and the new function now, where the migrating role
-- owns them; the others when a stream table reading the source is next created or altered. Rows
-- already buffered keep their json images, which a refresh reads as before.
DO $migrate$
BEGIN
  PERFORM pgtrickle.create_capture_function(b.source_relid)
     FROM pgtrickle.pgt_change_buffers b
     JOIN pg_class bc ON bc.oid = to_regclass(format('pgtrickle_changes.%I', b.buffer_name))
     JOIN pg_proc p ON p.oid = to_regproc(format('pgtrickle_changes.%I', 'capture_' || b.source_relid))
    WHERE pg_has_role(bc.relowner, 'USAGE') AND pg_has_role(p.proowner, 'USAGE')
      AND EXISTS (SELECT FROM pg_class s WHERE s.oid = b.source_relid);
END
$migrate$;
