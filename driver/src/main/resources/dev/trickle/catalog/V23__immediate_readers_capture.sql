-- Trickle catalog, version 23: IMMEDIATE readers have no say in how a source is captured, and
-- list_sources() shows that they capture none.
--
-- An IMMEDIATE stream table is maintained by its own triggers inside each writing transaction and
-- never reads a change buffer, so the driver captures a source only while a stream table of
-- another mode reads it. wal_capture_plan() now takes the cdc_mode of those readers only: an
-- IMMEDIATE reader asking 'trigger' no longer keeps a source on triggers that its DIFFERENTIAL
-- readers, asking 'auto', would have captured from the WAL. A buffer only IMMEDIATE stream tables
-- read (left by an older driver, until the next create, drop, or change of query or mode of a
-- stream table reading the source removes it) stays captured as it is.
CREATE OR REPLACE FUNCTION pgtrickle.wal_capture_plan()
RETURNS TABLE (source_relid oid, source_table text, cdc_mode text, capture text,
               wanted text, missing text[])
LANGUAGE sql STABLE AS $fn$
  WITH decoder AS (SELECT pgtrickle.wal_decoder_role() AS decoder),
  server AS (SELECT d.decoder, pgtrickle.wal_capture_missing(d.decoder) AS missing FROM decoder d),
  sources AS (
    SELECT b.source_relid, format('%I.%I', b.source_schema, b.source_name) AS name, b.capture,
           CASE WHEN bool_or(s.cdc_mode = 'wal') THEN 'wal'
                WHEN bool_or(s.cdc_mode = 'trigger') THEN 'trigger'
                WHEN bool_or(s.cdc_mode = 'auto') THEN 'auto'
                WHEN bool_or(d.pgt_id IS NOT NULL) THEN b.capture
                ELSE 'trigger' END AS mode
      FROM pgtrickle.pgt_change_buffers b
      LEFT JOIN pgtrickle.pgt_dependencies d ON d.source_relid = b.source_relid
      LEFT JOIN pgtrickle.pgt_stream_tables s
             ON s.pgt_id = d.pgt_id AND s.requested_mode <> 'IMMEDIATE'
     GROUP BY b.source_relid, b.source_schema, b.source_name, b.capture
  ),
  checked AS (
    SELECT src.*, server.missing
           || CASE WHEN c.relkind IN ('r', 'p') THEN '{}'::text[]
                   ELSE ARRAY['the source is not a table'] END
           || CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_attribute a
                                 WHERE a.attrelid = src.source_relid AND a.attgenerated <> ''
                                   AND NOT a.attisdropped)
                   THEN ARRAY['the source has generated columns, which pgoutput does not send']
                   ELSE '{}'::text[] END
           || CASE WHEN c.oid IS NOT NULL
                        AND NOT pg_catalog.pg_has_role(server.decoder, c.relowner, 'USAGE')
                   THEN ARRAY[format('the source is owned by role %I, and role %I, which moves'
                                     ' it to the WAL, is not a member of it',
                                     pg_catalog.pg_get_userbyid(c.relowner), server.decoder)]
                   ELSE '{}'::text[] END AS missing
      FROM sources src CROSS JOIN server
      LEFT JOIN pg_catalog.pg_class c ON c.oid = src.source_relid
  )
  SELECT c.source_relid, c.name, c.mode, c.capture,
         CASE WHEN c.mode = 'wal' OR (c.mode = 'auto' AND cardinality(c.missing) = 0)
              THEN 'wal' ELSE 'trigger' END,
         c.missing
    FROM checked c
$fn$;

-- list_sources(): an IMMEDIATE stream table captures none of its sources, so its cdc_mode is
-- 'none' for each of them.
CREATE OR REPLACE FUNCTION pgtrickle.list_sources(name text)
RETURNS TABLE (source_table text, source_type text, cdc_mode text, columns_used text[])
LANGUAGE sql STABLE AS $fn$
  SELECT format('%I.%I', d.source_schema, d.source_name), d.source_kind,
         CASE WHEN d.source_kind IN ('TABLE', 'PARTITIONED', 'STREAM_TABLE')
                   AND s.requested_mode <> 'IMMEDIATE' THEN s.cdc_mode
              ELSE 'none' END,
         d.columns_used
    FROM pgtrickle.pgt_dependencies d
    JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = d.pgt_id
   WHERE d.pgt_id = pgtrickle.resolve_stream_table($1)
   ORDER BY d.source_schema, d.source_name
$fn$;
