-- Trickle catalog, version 16: pgt_cdc_status(), how each captured source is captured and why.
--
-- Every source is captured by triggers. For a source read by a stream table with cdc_mode 'auto',
-- the function also checks, on this server, what logical decoding would need and says which of it
-- is missing: wal_level = logical, a free replication slot, a WAL sender, a role with the
-- REPLICATION attribute (the scheduler leader's role, or the caller's when no leader runs), and a
-- primary key on the source. WAL capture itself is not part of this version, so the answer when
-- nothing is missing says that too.
CREATE OR REPLACE FUNCTION pgtrickle.pgt_cdc_status()
RETURNS TABLE (source_table text, cdc_mode text, capture text, reason text)
LANGUAGE sql STABLE AS $fn$
  WITH decoder AS (
    SELECT coalesce((SELECT a.usename::text
                       FROM pgtrickle.pgt_scheduler_leader l
                       JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid),
                    current_user::text) AS role_name
  ),
  server AS (
    SELECT array_remove(ARRAY[
      CASE WHEN current_setting('wal_level') <> 'logical' THEN
        format('wal_level is %s; logical decoding needs wal_level = logical'
               ' (ALTER SYSTEM SET wal_level = logical, then restart the server)',
               current_setting('wal_level')) END,
      CASE WHEN current_setting('max_wal_senders')::int = 0 THEN
        'max_wal_senders is 0; logical decoding needs a WAL sender' END,
      CASE WHEN (SELECT count(*) FROM pg_catalog.pg_replication_slots)
                >= current_setting('max_replication_slots')::int THEN
        format('all %s replication slots are in use (max_replication_slots)',
               current_setting('max_replication_slots')) END,
      (SELECT CASE WHEN r.rolname IS NULL OR NOT (r.rolreplication OR r.rolsuper) THEN
         format('role %I has neither the REPLICATION attribute nor superuser'
                ' (ALTER ROLE %I REPLICATION)', d.role_name, d.role_name) END
         FROM decoder d LEFT JOIN pg_catalog.pg_roles r ON r.rolname = d.role_name)
    ], NULL) AS missing
  ),
  sources AS (
    SELECT b.source_relid, format('%I.%I', b.source_schema, b.source_name) AS name,
           CASE WHEN bool_or(s.cdc_mode = 'auto') THEN 'auto' ELSE 'trigger' END AS mode
      FROM pgtrickle.pgt_change_buffers b
      JOIN pgtrickle.pgt_dependencies d ON d.source_relid = b.source_relid
      JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = d.pgt_id
     GROUP BY b.source_relid, b.source_schema, b.source_name
  ),
  checked AS (
    SELECT src.*, server.missing
           || CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_constraint c
                                 WHERE c.conrelid = src.source_relid AND c.contype = 'p')
                   THEN '{}'::text[] ELSE ARRAY['the source has no primary key'] END AS missing
      FROM sources src, server
  )
  SELECT c.name, c.mode, 'trigger',
         CASE WHEN c.mode = 'trigger' THEN 'cdc_mode ''trigger'''
              WHEN cardinality(c.missing) > 0 THEN
                'stays on triggers: ' || array_to_string(c.missing, '; ')
              ELSE 'logical decoding is available, but WAL capture is not part of this Trickle'
                   ' version: stays on triggers' END
    FROM checked c
   ORDER BY c.name
$fn$;
