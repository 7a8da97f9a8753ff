-- Trickle catalog, version 20: WAL capture (cdc_mode 'wal' and 'auto').
--
-- A source is captured either by its triggers or from the WAL: the scheduler's leader decodes one
-- logical replication slot of the database (pgoutput, publication pgtrickle_capture) and writes
-- the decoded rows into the same change buffer, tagged with the writing transaction's id, so
-- frontiers, refreshes and cleanup read them exactly as rows the triggers wrote.
--
-- pgt_change_buffers.capture says how a source is captured now. A move to the WAL records where it
-- happened (wal_from_lsn, and the moving transaction's own id, whose changes the triggers still
-- captured); a move back to triggers records where WAL capture ended (wal_until_lsn,
-- wal_until_xid) until the consumer has passed it. capture_error keeps why the leader could not
-- move the source.
ALTER TABLE pgtrickle.pgt_change_buffers
  ADD COLUMN IF NOT EXISTS capture text NOT NULL DEFAULT 'trigger'
    CHECK (capture IN ('trigger', 'wal')),
  ADD COLUMN IF NOT EXISTS wal_from_lsn pg_lsn,
  ADD COLUMN IF NOT EXISTS wal_from_xid xid8,
  ADD COLUMN IF NOT EXISTS wal_until_lsn pg_lsn,
  ADD COLUMN IF NOT EXISTS wal_until_xid xid8,
  ADD COLUMN IF NOT EXISTS capture_error text;

-- The consumer of the database's slot: how far it has written the decoded changes into the
-- buffers (committed), and when it last confirmed. One row while a slot exists.
CREATE TABLE IF NOT EXISTS pgtrickle.pgt_wal_capture (
  slot_name        text PRIMARY KEY,
  publication_name text NOT NULL,
  confirmed_lsn    pg_lsn NOT NULL,
  confirmed_at     timestamptz NOT NULL DEFAULT now()
);

-- The slot of this database: one per database, named after its oid (slot names are cluster-wide).
CREATE OR REPLACE FUNCTION pgtrickle.wal_slot_name()
RETURNS text
LANGUAGE sql STABLE AS $fn$
  SELECT 'pgtrickle_' || d.oid FROM pg_catalog.pg_database d
   WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()
$fn$;

-- What this server and role_name lack for logical decoding, as sentences (empty: nothing).
CREATE OR REPLACE FUNCTION pgtrickle.wal_capture_missing(role_name text)
RETURNS text[]
LANGUAGE sql STABLE AS $fn$
  SELECT array_remove(ARRAY[
    CASE WHEN current_setting('wal_level') <> 'logical' THEN
      format('wal_level is %s; logical decoding needs wal_level = logical'
             ' (ALTER SYSTEM SET wal_level = logical, then restart the server)',
             current_setting('wal_level')) END,
    CASE WHEN current_setting('max_wal_senders')::int = 0 THEN
      'max_wal_senders is 0; logical decoding needs a WAL sender' END,
    CASE WHEN NOT EXISTS (SELECT FROM pg_catalog.pg_replication_slots
                           WHERE slot_name = pgtrickle.wal_slot_name())
          AND (SELECT count(*) FROM pg_catalog.pg_replication_slots)
              >= current_setting('max_replication_slots')::int THEN
      format('all %s replication slots are in use (max_replication_slots)',
             current_setting('max_replication_slots')) END,
    (SELECT CASE WHEN r.rolname IS NULL OR NOT (r.rolreplication OR r.rolsuper) THEN
       format('role %I has neither the REPLICATION attribute nor superuser'
              ' (ALTER ROLE %I REPLICATION)', role_name, role_name) END
       FROM (SELECT 1) one LEFT JOIN pg_catalog.pg_roles r ON r.rolname = role_name)
  ], NULL)
$fn$;

-- The role that decodes: the scheduler leader's, or the caller's when no leader runs.
CREATE OR REPLACE FUNCTION pgtrickle.wal_decoder_role()
RETURNS text
LANGUAGE sql STABLE AS $fn$
  SELECT coalesce((SELECT a.usename::text
                     FROM pgtrickle.pgt_scheduler_leader l
                     JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid),
                  current_user::text)
$fn$;

-- How each captured source should be captured, from the cdc_mode of its readers: from the WAL when
-- one asks 'wal', or when all ask 'auto' or 'wal' and nothing is missing; by triggers otherwise.
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
                ELSE 'trigger' END AS mode
      FROM pgtrickle.pgt_change_buffers b
      LEFT JOIN pgtrickle.pgt_dependencies d ON d.source_relid = b.source_relid
      LEFT JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = d.pgt_id
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

-- pgt_cdc_status(): per captured source the cdc_mode its readers ask, how it is captured now and
-- why, and for the WAL the consumer's lag behind the server and the WAL the slot retains.
DROP FUNCTION IF EXISTS pgtrickle.pgt_cdc_status();
CREATE FUNCTION pgtrickle.pgt_cdc_status()
RETURNS TABLE (source_table text, cdc_mode text, capture text, reason text,
               lag_bytes numeric, retained_wal_bytes numeric)
LANGUAGE sql STABLE AS $fn$
  WITH slot AS (
    SELECT pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), w.confirmed_lsn) AS lag,
           pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.restart_lsn) AS retained
      FROM pgtrickle.pgt_wal_capture w
      LEFT JOIN pg_catalog.pg_replication_slots r ON r.slot_name = w.slot_name
  )
  SELECT p.source_table, p.cdc_mode, p.capture,
         CASE WHEN b.capture_error IS NOT NULL AND p.capture <> p.wanted THEN
                format('stays on %ss: %s', p.capture, b.capture_error)
              WHEN p.capture = 'wal' AND p.wanted = 'wal' THEN
                format('cdc_mode ''%s'': captured from the WAL by slot %s',
                       p.cdc_mode, pgtrickle.wal_slot_name())
              WHEN p.capture = 'wal' THEN
                'moving back to triggers at the scheduler''s next pass'
              WHEN p.cdc_mode = 'trigger' THEN 'cdc_mode ''trigger'''
              WHEN cardinality(p.missing) > 0 THEN
                'stays on triggers: ' || array_to_string(p.missing, '; ')
              ELSE 'logical decoding is available: the scheduler''s leader moves the source to'
                   ' WAL capture at its next pass' END,
         CASE WHEN p.capture = 'wal' THEN (SELECT lag FROM slot) END,
         CASE WHEN p.capture = 'wal' THEN (SELECT retained FROM slot) END
    FROM pgtrickle.wal_capture_plan() p
    JOIN pgtrickle.pgt_change_buffers b ON b.source_relid = p.source_relid
   ORDER BY p.source_table
$fn$;

-- Whether a refresh of the stream table must wait for the WAL consumer: a source of it is captured
-- from the WAL, or was until the consumer passes where that ended.
CREATE OR REPLACE FUNCTION pgtrickle.wal_captured(pgt bigint)
RETURNS boolean
LANGUAGE sql STABLE AS $fn$
  SELECT EXISTS (SELECT FROM pgtrickle.pgt_dependencies d
                   JOIN pgtrickle.pgt_change_buffers b ON b.source_relid = d.source_relid
                  WHERE d.pgt_id = pgt AND (b.capture = 'wal' OR b.wal_until_lsn IS NOT NULL))
$fn$;

-- Waits until the WAL consumer has written into the buffers, and committed, every change that
-- committed before this call: it writes a logical decoding message (flushed on PostgreSQL 17 and
-- later; earlier the WAL writer flushes it within wal_writer_delay) and waits until the consumer
-- has confirmed a position at or past it. Called by a READ COMMITTED refresh after it locked the
-- captured sources against writers, so the statements after it see the sources and their buffers
-- complete.
CREATE OR REPLACE FUNCTION pgtrickle.await_wal_capture(pgt bigint, timeout_ms integer)
RETURNS void
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  target pg_lsn;
  confirmed pg_lsn;
  deadline timestamptz := clock_timestamp() + make_interval(secs => timeout_ms / 1000.0);
  st text := (SELECT format('%I.%I', pgt_schema, pgt_name) FROM pgtrickle.pgt_stream_tables
               WHERE pgt_id = pgt);
BEGIN
  IF NOT pgtrickle.wal_captured(pgt) THEN
    RETURN;
  END IF;
  IF current_setting('server_version_num')::int >= 170000 THEN
    EXECUTE 'SELECT pg_catalog.pg_logical_emit_message(false, $1, $2, true)'
      INTO target USING 'pgtrickle', pgt::text;
  ELSE
    target := pg_catalog.pg_logical_emit_message(false, 'pgtrickle', pgt::text);
  END IF;
  LOOP
    SELECT w.confirmed_lsn INTO confirmed FROM pgtrickle.pgt_wal_capture w;
    EXIT WHEN confirmed >= target;
    IF clock_timestamp() > deadline THEN
      RAISE EXCEPTION 'stream table % reads sources captured from the WAL, and the consumer of'
        ' slot % has not written the changes up to % into the change buffers within % ms'
        ' (confirmed: %)', st, pgtrickle.wal_slot_name(), target, timeout_ms,
        coalesce(confirmed::text, 'nothing')
        USING ERRCODE = '55000',
              HINT = 'the scheduler''s leader consumes the slot: check that a scheduler runs'
                     ' (pgtrickle.health_check()) and that its role has the REPLICATION attribute';
    END IF;
    PERFORM pg_catalog.pg_sleep(0.002);
  END LOOP;
END
$fn$;

-- trigger_inventory(): sources captured from the WAL have no capture triggers to expect.
CREATE OR REPLACE FUNCTION pgtrickle.trigger_inventory()
RETURNS TABLE (source_table text, trigger_name text, trigger_type text, present boolean,
               enabled boolean)
LANGUAGE sql STABLE AS $fn$
  WITH targets AS (
    SELECT t.relid, b.source_relid
      FROM pgtrickle.pgt_change_buffers b
      CROSS JOIN LATERAL (
        SELECT b.source_relid AS relid
        UNION
        SELECT pt.relid FROM pg_partition_tree(b.source_relid) pt
         WHERE pt.relid <> b.source_relid) t
     WHERE b.capture = 'trigger'
  ),
  expected AS (
    SELECT t.relid, e.trigger_name, e.trigger_type
      FROM targets t
      CROSS JOIN (VALUES ('pgtrickle_capture_ins', 'CAPTURE INSERT'),
                         ('pgtrickle_capture_upd', 'CAPTURE UPDATE'),
                         ('pgtrickle_capture_del', 'CAPTURE DELETE'),
                         ('pgtrickle_capture_trunc', 'CAPTURE TRUNCATE')) AS e (trigger_name, trigger_type)
    UNION ALL
    SELECT s.pgt_relid, 'pgtrickle_guard', 'GUARD' FROM pgtrickle.pgt_stream_tables s
  )
  SELECT CASE WHEN c.oid IS NULL THEN e.relid::text ELSE format('%I.%I', n.nspname, c.relname) END,
         e.trigger_name,
         e.trigger_type, tg.oid IS NOT NULL, coalesce(tg.tgenabled <> 'D', false)
    FROM expected e
    LEFT JOIN pg_class c ON c.oid = e.relid
    LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_trigger tg ON tg.tgrelid = e.relid AND tg.tgname = e.trigger_name
   ORDER BY 1, 2
$fn$;

-- health_check(): one more row, wal_capture: the consumer's lag and the WAL the slot retains, a
-- warning past pg_trickle.slot_lag_warning_threshold_mb (default 100), an error when the slot is gone.
CREATE OR REPLACE FUNCTION pgtrickle.health_check()
RETURNS TABLE (check_name text, severity text, detail text)
LANGUAGE sql STABLE AS $fn$
  SELECT 'scheduler_running',
         CASE WHEN max(h.last_tick) >= now() - interval '1 minute' THEN 'OK' ELSE 'WARN' END,
         CASE WHEN max(h.last_tick) IS NULL THEN 'no scheduler heartbeat: stream tables refresh only when refresh_stream_table is called'
              ELSE format('last scheduler tick at %s', max(h.last_tick)) END
    FROM pgtrickle.pgt_scheduler h
  UNION ALL
  SELECT 'tables_in_error',
         CASE WHEN count(*) = 0 THEN 'OK' ELSE 'ERROR' END,
         CASE WHEN count(*) = 0 THEN 'no stream table is in ERROR'
              ELSE format('%s in ERROR: %s', count(*),
                          string_agg(format('%I.%I (%s)', s.pgt_schema, s.pgt_name,
                                            s.last_error_message), ', ' ORDER BY s.pgt_schema, s.pgt_name))
         END
    FROM pgtrickle.pgt_stream_tables s WHERE s.status = 'ERROR'
  UNION ALL
  SELECT 'tables_suspended',
         CASE WHEN count(*) = 0 THEN 'OK' ELSE 'WARN' END,
         CASE WHEN count(*) = 0 THEN 'no stream table is suspended'
              ELSE format('%s suspended (resume with pgtrickle.resume_stream_table): %s', count(*),
                          string_agg(format('%I.%I', s.pgt_schema, s.pgt_name), ', '
                                     ORDER BY s.pgt_schema, s.pgt_name))
         END
    FROM pgtrickle.pgt_stream_tables s WHERE s.status = 'SUSPENDED'
  UNION ALL
  SELECT 'stale_tables',
         CASE WHEN count(*) = 0 THEN 'OK' ELSE 'WARN' END,
         CASE WHEN count(*) = 0 THEN 'every stream table is populated'
              ELSE format('%s never populated: %s', count(*),
                          string_agg(format('%I.%I', s.pgt_schema, s.pgt_name), ', '
                                     ORDER BY s.pgt_schema, s.pgt_name))
         END
    FROM pgtrickle.pgt_stream_tables s WHERE NOT s.is_populated
  UNION ALL
  SELECT 'change_buffer_growth',
         CASE WHEN coalesce(max(pg_total_relation_size(c.oid)), 0) < 256 * 1024 * 1024 THEN 'OK'
              ELSE 'WARN' END,
         format('largest change buffer: %s',
                coalesce(pg_size_pretty(max(pg_total_relation_size(c.oid))), 'none'))
    FROM pgtrickle.pgt_change_buffers b
    LEFT JOIN pg_class c ON c.oid = to_regclass(format('pgtrickle_changes.%I', b.buffer_name))
  UNION ALL
  SELECT 'capture_triggers',
         CASE WHEN count(*) FILTER (WHERE NOT (i.present AND i.enabled)) = 0 THEN 'OK' ELSE 'ERROR' END,
         CASE WHEN count(*) FILTER (WHERE NOT (i.present AND i.enabled)) = 0
              THEN format('%s triggers present and enabled', count(*))
              ELSE format('missing or disabled: %s',
                          string_agg(i.source_table || '.' || i.trigger_name, ', '
                                     ORDER BY i.source_table, i.trigger_name)
                            FILTER (WHERE NOT (i.present AND i.enabled)))
         END
    FROM pgtrickle.trigger_inventory() i
  UNION ALL
  SELECT 'wal_capture',
         CASE WHEN w.slot_name IS NULL THEN 'OK'
              WHEN r.slot_name IS NULL THEN 'ERROR'
              WHEN pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.restart_lsn)
                   > 1024 * 1024 * coalesce(nullif(current_setting(
                       'pg_trickle.slot_lag_warning_threshold_mb', true), '')::bigint, 100)
                THEN 'WARN'
              ELSE 'OK' END,
         CASE WHEN w.slot_name IS NULL THEN 'no source is captured from the WAL'
              WHEN r.slot_name IS NULL THEN format('replication slot %s is missing: sources'
                ' captured from the WAL lose their changes; alter their stream tables to'
                ' cdc_mode ''trigger'' and back', w.slot_name)
              ELSE format('slot %s: consumer %s behind the server (confirmed at %s),'
                          ' %s of WAL retained (warning past pg_trickle.slot_lag_warning_threshold_mb)',
                          w.slot_name,
                          pg_catalog.pg_size_pretty(pg_catalog.pg_wal_lsn_diff(
                            pg_catalog.pg_current_wal_lsn(), w.confirmed_lsn)),
                          w.confirmed_at,
                          pg_catalog.pg_size_pretty(pg_catalog.pg_wal_lsn_diff(
                            pg_catalog.pg_current_wal_lsn(), r.restart_lsn))) END
    FROM (SELECT 1) one
    LEFT JOIN pgtrickle.pgt_wal_capture w ON true
    LEFT JOIN pg_catalog.pg_replication_slots r ON r.slot_name = w.slot_name
$fn$;
