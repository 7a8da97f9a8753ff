-- Trickle catalog, version 6: the catalog reads of a refresh as PL/pgSQL functions.
--
-- A refresh checks that its storage table and every source still exist and reads their columns
-- (the compiled program is only valid for those columns). As plain queries these joins over
-- pg_class, pg_attribute and pg_constraint are planned again on every refresh, which costs more
-- than a small refresh's real work; PL/pgSQL keeps the plans of its queries for the session.

-- A relation as a refresh needs it: no row when it does not exist.
CREATE FUNCTION pgtrickle.relation_shape(relid oid)
RETURNS TABLE (schema_name text, relation_name text, relkind text, is_temporary boolean,
               is_partition boolean, has_primary_key boolean, column_names text[],
               column_types text[])
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
  RETURN QUERY
    SELECT n.nspname::text, c.relname::text, c.relkind::text, c.relpersistence = 't',
           c.relispartition,
           EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p'),
           ARRAY(SELECT a.attname::text FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                  ORDER BY a.attnum),
           ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                  ORDER BY a.attnum)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = relation_shape.relid;
END
$fn$;

-- The sources of a stream table as recorded and as they are now: the relation (NULL names when
-- dropped), its columns, and its change buffer's columns (without Trickle's own).
CREATE FUNCTION pgtrickle.refresh_sources(pgt_id bigint)
RETURNS TABLE (source_relid oid, source_schema text, source_name text, source_kind text,
               columns_used text[], schema_name text, relation_name text, relkind text,
               is_temporary boolean, is_partition boolean, has_primary_key boolean,
               column_names text[], column_types text[], buffer_column_names text[],
               buffer_column_types text[])
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
  RETURN QUERY
    SELECT d.source_relid, d.source_schema, d.source_name, d.source_kind, d.columns_used,
           r.schema_name, r.relation_name, r.relkind, r.is_temporary, r.is_partition,
           r.has_primary_key, r.column_names, r.column_types,
           ARRAY(SELECT a.attname::text FROM pg_attribute a
                  WHERE a.attrelid = buffer.oid AND a.attnum > 0 AND NOT a.attisdropped
                    AND a.attname NOT LIKE '\_\_pgt\_%' ORDER BY a.attnum),
           ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                  WHERE a.attrelid = buffer.oid AND a.attnum > 0 AND NOT a.attisdropped
                    AND a.attname NOT LIKE '\_\_pgt\_%' ORDER BY a.attnum)
      FROM pgtrickle.pgt_dependencies d
      LEFT JOIN LATERAL pgtrickle.relation_shape(d.source_relid) r ON true
      LEFT JOIN pgtrickle.pgt_change_buffers b ON b.source_relid = d.source_relid
      LEFT JOIN LATERAL (SELECT to_regclass('pgtrickle_changes.' || quote_ident(b.buffer_name)) AS oid)
                buffer ON true
     WHERE d.pgt_id = refresh_sources.pgt_id
     ORDER BY d.source_schema, d.source_name;
END
$fn$;
