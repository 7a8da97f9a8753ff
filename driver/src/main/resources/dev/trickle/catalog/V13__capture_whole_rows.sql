-- Trickle catalog, version 13: change capture that survives any schema change of its source.
--
-- A change buffer kept a copy of every source column, and its capture function named each of
-- them: dropping, renaming or retyping any source column made every later write to the source
-- fail. A buffer row now holds the row image as one json value (row_to_json of the transition
-- table's row, written n.* so that no source column can shadow the alias), and the capture
-- function names no source column, so PostgreSQL never has to resolve one in it. A refresh reads the columns it needs out of the json by name
-- (json_to_record), and compares the columns the defining query reads with the source as it is
-- now (names and, recorded here, types).

-- The types of the columns a stream table reads, parallel to columns_used (format_type; '' when
-- unknown).
ALTER TABLE pgtrickle.pgt_dependencies ADD COLUMN column_types text[] NOT NULL DEFAULT '{}';
UPDATE pgtrickle.pgt_dependencies d
   SET column_types = coalesce(
         (SELECT array_agg(coalesce(format_type(a.atttypid, a.atttypmod), '') ORDER BY u.ord)
            FROM unnest(d.columns_used) WITH ORDINALITY AS u(name, ord)
            LEFT JOIN pg_attribute a
              ON a.attrelid = d.source_relid AND a.attname = u.name AND NOT a.attisdropped),
         '{}');

-- (Re)creates the capture function of one source: pgtrickle_changes."capture_<oid>"(). It runs as
-- its owner (SECURITY DEFINER), so a role that may write the source writes its buffer without any
-- right on it, and no other role can; it has no SET clause (entering one costs a save and restore
-- of the settings on every call), so every name in it is schema-qualified, operators included,
-- and the transition tables are ephemeral relations, which PostgreSQL resolves before any schema.
CREATE OR REPLACE FUNCTION pgtrickle.create_capture_function(source oid)
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  buffer text := format('pgtrickle_changes.%I', 'changes_' || source);
BEGIN
  EXECUTE format(
    $body$CREATE OR REPLACE FUNCTION pgtrickle_changes.%I() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER AS $capture$
BEGIN
  IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
    INSERT INTO %s (__pgt_op, __pgt_row) SELECT 'I', pg_catalog.row_to_json(n.*) FROM __pgt_new n;
  ELSIF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
    INSERT INTO %s (__pgt_op, __pgt_row)
      SELECT 'D'::pg_catalog."char", pg_catalog.row_to_json(o.*) FROM __pgt_old o
      UNION ALL SELECT 'I', pg_catalog.row_to_json(n.*) FROM __pgt_new n;
  ELSIF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
    INSERT INTO %s (__pgt_op, __pgt_row) SELECT 'D', pg_catalog.row_to_json(o.*) FROM __pgt_old o;
  ELSE
    INSERT INTO %s (__pgt_op) VALUES ('T');
  END IF;
  IF FOUND THEN
    PERFORM pg_catalog.pg_notify('pgtrickle_changes', %L);
  END IF;
  RETURN NULL;
END
$capture$$body$,
    'capture_' || source, buffer, buffer, buffer, buffer, source::text);
END
$fn$;

-- Existing buffers: the row images move into __pgt_row, the copied columns go, and the capture
-- functions are created again.
DO $migrate$
DECLARE
  b record;
  columns text;
  selected text;
BEGIN
  FOR b IN
    SELECT cb.source_relid, c.oid AS buffer
      FROM pgtrickle.pgt_change_buffers cb
      JOIN pg_class c ON c.relname = cb.buffer_name
       AND c.relnamespace = 'pgtrickle_changes'::regnamespace
  LOOP
    SELECT string_agg(format('DROP COLUMN %I', attname), ', ' ORDER BY attnum),
           string_agg(format('b.%I', attname), ', ' ORDER BY attnum)
      INTO columns, selected
      FROM pg_attribute
     WHERE attrelid = b.buffer AND attnum > 0 AND NOT attisdropped
       AND attname NOT LIKE '\_\_pgt\_%';
    EXECUTE format('ALTER TABLE %s ADD COLUMN __pgt_row json', b.buffer::regclass);
    IF columns IS NOT NULL THEN
      EXECUTE format(
        'UPDATE %s AS b SET __pgt_row = (SELECT pg_catalog.row_to_json(r.*) FROM (SELECT %s) AS r)'
        ' WHERE b.__pgt_op <> ''T''', b.buffer::regclass, selected);
      EXECUTE format('ALTER TABLE %s %s', b.buffer::regclass, columns);
    END IF;
    PERFORM pgtrickle.create_capture_function(b.source_relid);
  END LOOP;
END
$migrate$;
