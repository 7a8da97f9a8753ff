-- Trickle catalog, version 1. Applied by dev.trickle.catalog.CatalogInstaller inside the caller's
-- transaction, after it took the catalog advisory lock. Every object is owned by the calling role:
-- no superuser, no C extension.

CREATE SCHEMA IF NOT EXISTS pgtrickle;
CREATE SCHEMA IF NOT EXISTS pgtrickle_changes;

COMMENT ON SCHEMA pgtrickle IS 'Trickle catalog, refresh history and monitoring (installed by the Trickle JDBC driver)';
COMMENT ON SCHEMA pgtrickle_changes IS 'Trickle change buffers and capture functions, one per captured source';

-- Key/value facts about the catalog itself; key 'catalog_version' is the applied migration.
CREATE TABLE pgtrickle.pgt_meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE pgtrickle.pgt_stream_tables (
  pgt_id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pgt_schema              text NOT NULL,
  pgt_name                text NOT NULL,
  pgt_relid               oid NOT NULL UNIQUE,
  defining_query          text NOT NULL,
  -- search_path in effect at create/alter: the query's unqualified names are resolved with it.
  search_path             text NOT NULL,
  requested_mode          text NOT NULL
    CHECK (requested_mode IN ('AUTO', 'DIFFERENTIAL', 'FULL', 'IMMEDIATE')),
  effective_mode          text NOT NULL
    CHECK (effective_mode IN ('DIFFERENTIAL', 'FULL', 'IMMEDIATE')),
  -- why effective_mode differs from requested_mode (AUTO that fell back to FULL), else NULL
  mode_reason             text,
  schedule                text,  -- NULL = calculated
  status                  text NOT NULL DEFAULT 'INITIALIZING'
    CHECK (status IN ('INITIALIZING', 'ACTIVE', 'SUSPENDED', 'ERROR')),
  is_populated            boolean NOT NULL DEFAULT false,
  consecutive_errors      integer NOT NULL DEFAULT 0,
  last_error_message      text,
  data_timestamp          timestamptz,
  diamond_consistency     text NOT NULL DEFAULT 'atomic'
    CHECK (diamond_consistency IN ('none', 'atomic')),
  diamond_schedule_policy text NOT NULL DEFAULT 'fastest'
    CHECK (diamond_schedule_policy IN ('fastest', 'slowest')),
  cdc_mode                text NOT NULL DEFAULT 'trigger'
    CHECK (cdc_mode IN ('trigger', 'wal', 'auto')),
  definition_version      integer NOT NULL DEFAULT 1,
  -- statements that remove what the differential compiler's setup statements created
  teardown_sql            text[] NOT NULL DEFAULT '{}',
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  UNIQUE (pgt_schema, pgt_name)
);

-- One row per relation a stream table's query reads: the relations named in the query, views
-- expanded to their base relations. Captured kinds: TABLE, PARTITIONED, STREAM_TABLE.
CREATE TABLE pgtrickle.pgt_dependencies (
  pgt_id        bigint NOT NULL REFERENCES pgtrickle.pgt_stream_tables (pgt_id) ON DELETE CASCADE,
  source_relid  oid NOT NULL,
  source_schema text NOT NULL,
  source_name   text NOT NULL,
  source_kind   text NOT NULL
    CHECK (source_kind IN ('TABLE', 'STREAM_TABLE', 'VIEW', 'PARTITIONED', 'MATERIALIZED_VIEW',
                           'FOREIGN_TABLE', 'PARTITION')),
  columns_used  text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (pgt_id, source_relid)
);
CREATE INDEX pgt_dependencies_source_idx ON pgtrickle.pgt_dependencies (source_relid);

-- The snapshot up to which a stream table consumed a source's change buffer (NULL: never
-- populated, so it needs nothing from the buffer).
CREATE TABLE pgtrickle.pgt_frontiers (
  pgt_id       bigint NOT NULL REFERENCES pgtrickle.pgt_stream_tables (pgt_id) ON DELETE CASCADE,
  source_relid oid NOT NULL,
  frontier     pg_snapshot,
  PRIMARY KEY (pgt_id, source_relid)
);
CREATE INDEX pgt_frontiers_source_idx ON pgtrickle.pgt_frontiers (source_relid);

CREATE TABLE pgtrickle.pgt_change_buffers (
  source_relid  oid PRIMARY KEY,
  source_schema text NOT NULL,
  source_name   text NOT NULL,
  buffer_name   text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pgtrickle.pgt_refresh_history (
  refresh_id    bigserial PRIMARY KEY,
  pgt_id        bigint NOT NULL REFERENCES pgtrickle.pgt_stream_tables (pgt_id) ON DELETE CASCADE,
  start_time    timestamptz NOT NULL,
  end_time      timestamptz,
  action        text NOT NULL CHECK (action IN ('NO_DATA', 'FULL', 'DIFFERENTIAL', 'REINITIALIZE')),
  status        text NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED', 'SKIPPED')),
  rows_inserted bigint NOT NULL DEFAULT 0,
  rows_deleted  bigint NOT NULL DEFAULT 0,
  error_message text,
  reason        text,
  initiated_by  text NOT NULL CHECK (initiated_by IN ('MANUAL', 'SCHEDULER'))
);
CREATE INDEX pgt_refresh_history_pgt_idx ON pgtrickle.pgt_refresh_history (pgt_id, start_time DESC);
CREATE INDEX pgt_refresh_history_time_idx ON pgtrickle.pgt_refresh_history (start_time DESC);

-- Scheduler heartbeat, one row per running scheduler (written by the scheduler).
CREATE TABLE pgtrickle.pgt_scheduler (
  host          text NOT NULL,
  pid           bigint NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  last_tick     timestamptz NOT NULL DEFAULT now(),
  max_workers   integer NOT NULL DEFAULT 4,
  parallel_mode text NOT NULL DEFAULT 'off',
  PRIMARY KEY (host, pid)
);

-- Refresh jobs of the parallel scheduler (written by the scheduler).
CREATE TABLE pgtrickle.pgt_jobs (
  job_id      bigserial PRIMARY KEY,
  pgt_id      bigint NOT NULL REFERENCES pgtrickle.pgt_stream_tables (pgt_id) ON DELETE CASCADE,
  status      text NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED')),
  worker      text,
  enqueued_at timestamptz NOT NULL DEFAULT now(),
  started_at  timestamptz,
  finished_at timestamptz
);

------------------------------------------------------------------------------------------------
-- Internal helpers
------------------------------------------------------------------------------------------------

-- The stream table a user-written name (possibly schema-qualified, quoted) denotes; unqualified
-- names are looked up along the search_path. Raises 42P01 when there is none.
CREATE FUNCTION pgtrickle.resolve_stream_table(name text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  parts text[] := parse_ident(name);
  found bigint;
BEGIN
  IF cardinality(parts) = 2 THEN
    SELECT s.pgt_id INTO found FROM pgtrickle.pgt_stream_tables s
     WHERE s.pgt_schema = parts[1] AND s.pgt_name = parts[2];
  ELSIF cardinality(parts) = 1 THEN
    SELECT s.pgt_id INTO found
      FROM unnest(current_schemas(false)) WITH ORDINALITY AS p (nsp, ord)
      JOIN pgtrickle.pgt_stream_tables s ON s.pgt_schema = p.nsp AND s.pgt_name = parts[1]
     ORDER BY p.ord LIMIT 1;
  ELSE
    RAISE EXCEPTION 'invalid stream table name %: use name or schema.name', name
      USING ERRCODE = '22023';
  END IF;
  IF found IS NULL THEN
    RAISE EXCEPTION 'stream table % does not exist', name USING ERRCODE = '42P01',
      HINT = 'pgtrickle.pgt_status() lists the stream tables.';
  END IF;
  RETURN found;
END
$fn$;

-- The snapshot a refresh records as its frontier: pg_current_snapshot(), adjusted so that the
-- current transaction's own changes count as visible (a refresh reads them, so it consumes them).
CREATE FUNCTION pgtrickle.current_frontier() RETURNS pg_snapshot
LANGUAGE sql VOLATILE AS $fn$
  WITH s AS (SELECT pg_current_snapshot() AS snap, pg_current_xact_id_if_assigned() AS own)
  SELECT CASE
    WHEN s.own IS NULL OR pg_visible_in_snapshot(s.own, s.snap) THEN s.snap
    ELSE (
      SELECT format('%s:%s:%s', pg_snapshot_xmin(s.snap), s.own::text::numeric + 1,
                    coalesce(string_agg(x::text, ',' ORDER BY x), ''))::pg_snapshot
        FROM (SELECT x::text::numeric AS x FROM pg_snapshot_xip(s.snap) AS x
              UNION
              SELECT generate_series(pg_snapshot_xmax(s.snap)::text::numeric,
                                     s.own::text::numeric - 1)) AS ids
       WHERE x <> s.own::text::numeric)
  END
  FROM s
$fn$;

-- BEFORE statement trigger on every stream table: only Trickle's maintenance may write to it.
CREATE FUNCTION pgtrickle.guard_stream_table() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF coalesce(current_setting('pgtrickle.maintenance', true), '') <> 'on' THEN
    RAISE EXCEPTION '%.% is a stream table maintained by Trickle; change its sources instead, or use pgtrickle.refresh_stream_table',
      quote_ident(TG_TABLE_SCHEMA), quote_ident(TG_TABLE_NAME)
      USING ERRCODE = '0A000';
  END IF;
  RETURN NULL;
END
$fn$;

------------------------------------------------------------------------------------------------
-- Lifecycle functions: the Trickle driver intercepts these calls; any other client reaches
-- these bodies, which explain what to do.
------------------------------------------------------------------------------------------------

CREATE FUNCTION pgtrickle.require_driver(function_name text) RETURNS void
LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'pgtrickle.% must be called through the Trickle JDBC driver (jdbc:trickle:postgresql://...): it creates storage, change capture and catalog entries from the client side',
    function_name
    USING ERRCODE = '0A000',
      HINT = 'Connect with the Trickle driver (for example with "trickle shell") and run the same statement; monitoring functions such as pgtrickle.pgt_status() work from any client.';
END
$fn$;

CREATE FUNCTION pgtrickle.create_stream_table(
  name text, query text, schedule text DEFAULT 'calculated', refresh_mode text DEFAULT 'AUTO',
  initialize boolean DEFAULT true, diamond_consistency text DEFAULT 'atomic',
  diamond_schedule_policy text DEFAULT 'fastest', cdc_mode text DEFAULT 'trigger')
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle.require_driver('create_stream_table') $fn$;

CREATE FUNCTION pgtrickle.create_stream_table_if_not_exists(
  name text, query text, schedule text DEFAULT 'calculated', refresh_mode text DEFAULT 'AUTO',
  initialize boolean DEFAULT true, diamond_consistency text DEFAULT 'atomic',
  diamond_schedule_policy text DEFAULT 'fastest', cdc_mode text DEFAULT 'trigger')
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle.require_driver('create_stream_table_if_not_exists') $fn$;

CREATE FUNCTION pgtrickle.create_or_replace_stream_table(
  name text, query text, schedule text DEFAULT 'calculated', refresh_mode text DEFAULT 'AUTO',
  initialize boolean DEFAULT true, diamond_consistency text DEFAULT 'atomic',
  diamond_schedule_policy text DEFAULT 'fastest', cdc_mode text DEFAULT 'trigger')
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle.require_driver('create_or_replace_stream_table') $fn$;

CREATE FUNCTION pgtrickle.alter_stream_table(
  name text, query text DEFAULT NULL, schedule text DEFAULT NULL, refresh_mode text DEFAULT NULL,
  status text DEFAULT NULL, diamond_consistency text DEFAULT NULL,
  diamond_schedule_policy text DEFAULT NULL, cdc_mode text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle.require_driver('alter_stream_table') $fn$;

CREATE FUNCTION pgtrickle.drop_stream_table(name text, "cascade" boolean DEFAULT false)
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle.require_driver('drop_stream_table') $fn$;

CREATE FUNCTION pgtrickle.refresh_stream_table(name text)
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle.require_driver('refresh_stream_table') $fn$;

CREATE FUNCTION pgtrickle.resume_stream_table(name text)
RETURNS void LANGUAGE sql AS $fn$ SELECT pgtrickle.require_driver('resume_stream_table') $fn$;
