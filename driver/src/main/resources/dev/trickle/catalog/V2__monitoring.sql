-- Trickle catalog, version 2: monitoring functions and views. Plain SQL objects, so they work from
-- psql and any other client, not only through the driver.

CREATE FUNCTION pgtrickle.pgt_status()
RETURNS TABLE (name text, status text, refresh_mode text, is_populated boolean,
               consecutive_errors integer, schedule text, data_timestamp timestamptz,
               staleness interval)
LANGUAGE sql STABLE AS $fn$
  SELECT format('%I.%I', s.pgt_schema, s.pgt_name), s.status, s.effective_mode, s.is_populated,
         s.consecutive_errors, coalesce(s.schedule, 'calculated'), s.data_timestamp,
         now() - s.data_timestamp
    FROM pgtrickle.pgt_stream_tables s
   ORDER BY s.pgt_schema, s.pgt_name
$fn$;

CREATE VIEW pgtrickle.pg_stat_stream_tables AS
SELECT s.pgt_schema,
       s.pgt_name,
       s.status,
       s.effective_mode AS refresh_mode,
       coalesce(h.total_refreshes, 0) AS total_refreshes,
       coalesce(h.successful_refreshes, 0) AS successful_refreshes,
       coalesce(h.failed_refreshes, 0) AS failed_refreshes,
       coalesce(h.total_rows_inserted, 0) AS total_rows_inserted,
       coalesce(h.total_rows_deleted, 0) AS total_rows_deleted,
       h.avg_duration_ms,
       l.action AS last_refresh_action,
       l.start_time AS last_refresh_at,
       extract(epoch FROM now() - s.data_timestamp)::double precision AS staleness_secs,
       s.consecutive_errors,
       s.last_error_message
  FROM pgtrickle.pgt_stream_tables s
  LEFT JOIN LATERAL (
    SELECT count(*) AS total_refreshes,
           count(*) FILTER (WHERE r.status = 'COMPLETED') AS successful_refreshes,
           count(*) FILTER (WHERE r.status = 'FAILED') AS failed_refreshes,
           sum(r.rows_inserted)::bigint AS total_rows_inserted,
           sum(r.rows_deleted)::bigint AS total_rows_deleted,
           avg(extract(epoch FROM r.end_time - r.start_time) * 1000)::double precision
             AS avg_duration_ms
      FROM pgtrickle.pgt_refresh_history r
     WHERE r.pgt_id = s.pgt_id) h ON true
  LEFT JOIN LATERAL (
    SELECT r.action, r.start_time
      FROM pgtrickle.pgt_refresh_history r
     WHERE r.pgt_id = s.pgt_id
     ORDER BY r.start_time DESC, r.refresh_id DESC
     LIMIT 1) l ON true;

CREATE FUNCTION pgtrickle.refresh_timeline(max_rows integer DEFAULT 50)
RETURNS TABLE (start_time timestamptz, stream_table text, action text, status text,
               rows_inserted bigint, rows_deleted bigint, duration_ms double precision,
               error_message text)
LANGUAGE sql STABLE AS $fn$
  SELECT r.start_time, format('%I.%I', s.pgt_schema, s.pgt_name), r.action, r.status,
         r.rows_inserted, r.rows_deleted,
         (extract(epoch FROM r.end_time - r.start_time) * 1000)::double precision,
         r.error_message
    FROM pgtrickle.pgt_refresh_history r
    JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = r.pgt_id
   ORDER BY r.start_time DESC, r.refresh_id DESC
   LIMIT max_rows
$fn$;

CREATE FUNCTION pgtrickle.get_refresh_history(name text, max_rows integer DEFAULT 20)
RETURNS TABLE (start_time timestamptz, stream_table text, action text, status text,
               rows_inserted bigint, rows_deleted bigint, duration_ms double precision,
               error_message text)
LANGUAGE sql STABLE AS $fn$
  SELECT r.start_time, format('%I.%I', s.pgt_schema, s.pgt_name), r.action, r.status,
         r.rows_inserted, r.rows_deleted,
         (extract(epoch FROM r.end_time - r.start_time) * 1000)::double precision,
         r.error_message
    FROM pgtrickle.pgt_refresh_history r
    JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = r.pgt_id
   WHERE r.pgt_id = pgtrickle.resolve_stream_table($1)
   ORDER BY r.start_time DESC, r.refresh_id DESC
   LIMIT $2
$fn$;

-- Rows waiting in each change buffer for each consuming stream table.
CREATE FUNCTION pgtrickle.change_buffer_sizes()
RETURNS TABLE (stream_table text, source_table text, cdc_mode text, pending_rows bigint,
               buffer_bytes bigint)
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  r record;
  pending bigint;
BEGIN
  FOR r IN
    SELECT format('%I.%I', s.pgt_schema, s.pgt_name) AS st, format('%I.%I', b.source_schema,
           b.source_name) AS src, s.cdc_mode AS mode, b.buffer_name, f.frontier,
           to_regclass(format('pgtrickle_changes.%I', b.buffer_name)) AS buffer
      FROM pgtrickle.pgt_frontiers f
      JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = f.pgt_id
      JOIN pgtrickle.pgt_change_buffers b ON b.source_relid = f.source_relid
     ORDER BY 1, 2
  LOOP
    IF r.buffer IS NULL THEN
      pending := NULL;
    ELSE
      EXECUTE format('SELECT count(*) FROM pgtrickle_changes.%I c WHERE $1 IS NULL'
                     ' OR NOT pg_visible_in_snapshot(c.__pgt_xid, $1)', r.buffer_name)
        INTO pending USING r.frontier;
    END IF;
    stream_table := r.st;
    source_table := r.src;
    cdc_mode := r.mode;
    pending_rows := pending;
    buffer_bytes := CASE WHEN r.buffer IS NULL THEN NULL ELSE pg_total_relation_size(r.buffer) END;
    RETURN NEXT;
  END LOOP;
END
$fn$;

CREATE FUNCTION pgtrickle.list_sources(name text)
RETURNS TABLE (source_table text, source_type text, cdc_mode text, columns_used text[])
LANGUAGE sql STABLE AS $fn$
  SELECT format('%I.%I', d.source_schema, d.source_name), d.source_kind,
         CASE WHEN d.source_kind IN ('TABLE', 'PARTITIONED', 'STREAM_TABLE') THEN s.cdc_mode
              ELSE 'none' END,
         d.columns_used
    FROM pgtrickle.pgt_dependencies d
    JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = d.pgt_id
   WHERE d.pgt_id = pgtrickle.resolve_stream_table($1)
   ORDER BY d.source_schema, d.source_name
$fn$;

-- The capture triggers every captured relation (and each of its partitions) should have, and the
-- guard trigger of every stream table, with whether they exist and are enabled.
CREATE FUNCTION pgtrickle.trigger_inventory()
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
  SELECT coalesce(format('%I.%I', n.nspname, c.relname), e.relid::text), e.trigger_name,
         e.trigger_type, tg.oid IS NOT NULL, coalesce(tg.tgenabled <> 'D', false)
    FROM expected e
    LEFT JOIN pg_class c ON c.oid = e.relid
    LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_trigger tg ON tg.tgrelid = e.relid AND tg.tgname = e.trigger_name
   ORDER BY 1, 2
$fn$;

CREATE FUNCTION pgtrickle.dependency_subtree(root bigint, line_prefix text, child_prefix text,
                                             level integer)
RETURNS TABLE (tree_line text, node text, node_type text, depth integer, status text,
               refresh_mode text)
LANGUAGE plpgsql STABLE AS $fn$
#variable_conflict use_column
DECLARE
  st record;
  child record;
  n integer;
  i integer := 0;
  is_last boolean;
BEGIN
  SELECT s.pgt_id, format('%I.%I', s.pgt_schema, s.pgt_name) AS label, s.status AS st_status,
         s.effective_mode AS mode
    INTO st FROM pgtrickle.pgt_stream_tables s WHERE s.pgt_id = root;
  tree_line := line_prefix || st.label;
  node := st.label;
  node_type := 'stream_table';
  depth := level;
  status := st.st_status;
  refresh_mode := st.mode;
  RETURN NEXT;
  SELECT count(*) INTO n FROM pgtrickle.pgt_dependencies d WHERE d.pgt_id = root;
  FOR child IN
    SELECT format('%I.%I', d.source_schema, d.source_name) AS label, up.pgt_id AS upstream
      FROM pgtrickle.pgt_dependencies d
      LEFT JOIN pgtrickle.pgt_stream_tables up
        ON up.pgt_relid = d.source_relid AND d.source_kind = 'STREAM_TABLE'
     WHERE d.pgt_id = root
     ORDER BY 1
  LOOP
    i := i + 1;
    is_last := i = n;
    IF child.upstream IS NOT NULL THEN
      RETURN QUERY SELECT * FROM pgtrickle.dependency_subtree(child.upstream,
        child_prefix || CASE WHEN is_last THEN '└── ' ELSE '├── ' END,
        child_prefix || CASE WHEN is_last THEN '    ' ELSE '│   ' END, level + 1);
    ELSE
      tree_line := child_prefix || CASE WHEN is_last THEN '└── ' ELSE '├── ' END || child.label;
      node := child.label;
      node_type := 'source_table';
      depth := level + 1;
      status := NULL;
      refresh_mode := NULL;
      RETURN NEXT;
    END IF;
  END LOOP;
END
$fn$;

-- Every stream table nobody reads from is a root; its sources hang below it.
CREATE FUNCTION pgtrickle.dependency_tree()
RETURNS TABLE (tree_line text, node text, node_type text, depth integer, status text,
               refresh_mode text)
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT s.pgt_id FROM pgtrickle.pgt_stream_tables s
     WHERE NOT EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d
                        WHERE d.source_relid = s.pgt_relid)
     ORDER BY s.pgt_schema, s.pgt_name
  LOOP
    RETURN QUERY SELECT * FROM pgtrickle.dependency_subtree(r.pgt_id, '', '', 0);
  END LOOP;
END
$fn$;

-- Diamonds: a stream table (the convergence point) that reads two or more stream tables sharing
-- an upstream stream table. The group is the convergence point and every stream table on a path
-- from a shared upstream to it.
CREATE FUNCTION pgtrickle.diamond_groups()
RETURNS TABLE (group_id integer, member_name text, is_convergence boolean, schedule_policy text)
LANGUAGE sql STABLE AS $fn$
  WITH RECURSIVE edges AS (
    SELECT d.pgt_id AS child, up.pgt_id AS parent
      FROM pgtrickle.pgt_dependencies d
      JOIN pgtrickle.pgt_stream_tables up ON up.pgt_relid = d.source_relid
     WHERE d.source_kind = 'STREAM_TABLE'
  ),
  -- (start, ancestor): ancestor is start itself or upstream of it
  reach (start, ancestor) AS (
    SELECT DISTINCT e.parent, e.parent FROM edges e
    UNION
    SELECT r.start, e.parent FROM reach r JOIN edges e ON e.child = r.ancestor
  ),
  -- per convergence point c and direct parent p: the ancestors reachable through p
  through (convergence, parent, ancestor) AS (
    SELECT e.child, e.parent, r.ancestor FROM edges e JOIN reach r ON r.start = e.parent
  ),
  shared AS (
    SELECT DISTINCT a.convergence, a.ancestor
      FROM through a JOIN through b
        ON b.convergence = a.convergence AND b.ancestor = a.ancestor AND b.parent <> a.parent
  ),
  members AS (
    SELECT DISTINCT t.convergence, t.ancestor AS member
      FROM through t
     WHERE EXISTS (SELECT 1 FROM shared s JOIN reach r ON r.start = t.ancestor
                    AND r.ancestor = s.ancestor WHERE s.convergence = t.convergence)
    UNION
    SELECT DISTINCT s.convergence, s.convergence FROM shared s
  ),
  groups AS (
    SELECT convergence, dense_rank() OVER (ORDER BY convergence)::integer AS gid
      FROM (SELECT DISTINCT convergence FROM shared) g
  )
  SELECT g.gid, format('%I.%I', m.pgt_schema, m.pgt_name), mb.member = g.convergence,
         c.diamond_schedule_policy
    FROM members mb
    JOIN groups g ON g.convergence = mb.convergence
    JOIN pgtrickle.pgt_stream_tables m ON m.pgt_id = mb.member
    JOIN pgtrickle.pgt_stream_tables c ON c.pgt_id = g.convergence
   ORDER BY 1, 3, 2
$fn$;

CREATE FUNCTION pgtrickle.worker_pool_status()
RETURNS TABLE (active_workers integer, max_workers integer, parallel_mode text,
               scheduler_host text, last_scheduler_tick timestamptz)
LANGUAGE sql STABLE AS $fn$
  SELECT (SELECT count(*) FROM pgtrickle.pgt_jobs j WHERE j.status = 'RUNNING')::integer,
         coalesce(h.max_workers,
                  nullif(current_setting('pg_trickle.max_dynamic_refresh_workers', true), '')::integer,
                  4),
         coalesce(h.parallel_mode,
                  nullif(current_setting('pg_trickle.parallel_refresh_mode', true), ''), 'off'),
         h.host, h.last_tick
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (SELECT * FROM pgtrickle.pgt_scheduler ORDER BY last_tick DESC LIMIT 1) h
      ON true
$fn$;

CREATE FUNCTION pgtrickle.parallel_job_status(max_age_seconds integer DEFAULT 300)
RETURNS TABLE (job_id bigint, stream_table text, status text, worker text,
               enqueued_at timestamptz, started_at timestamptz, finished_at timestamptz,
               duration_ms double precision)
LANGUAGE sql STABLE AS $fn$
  SELECT j.job_id, format('%I.%I', s.pgt_schema, s.pgt_name), j.status, j.worker, j.enqueued_at,
         j.started_at, j.finished_at,
         (extract(epoch FROM j.finished_at - j.started_at) * 1000)::double precision
    FROM pgtrickle.pgt_jobs j
    JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = j.pgt_id
   WHERE j.enqueued_at >= now() - make_interval(secs => $1)
   ORDER BY j.enqueued_at DESC, j.job_id DESC
$fn$;

CREATE FUNCTION pgtrickle.health_check()
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
$fn$;
