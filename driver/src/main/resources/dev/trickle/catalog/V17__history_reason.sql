-- The monitoring functions that show refresh history also show why a refresh took its action
-- (pgt_refresh_history.reason): a DIFFERENTIAL stream table's refresh that recomputed because the
-- estimate found recomputing cheaper, a truncated source, a mostly changed source, refresh mode
-- FULL. The new column comes last, so readers of the old columns by position keep working.

DROP FUNCTION pgtrickle.refresh_timeline(integer);
CREATE FUNCTION pgtrickle.refresh_timeline(max_rows integer DEFAULT 50)
RETURNS TABLE (start_time timestamptz, stream_table text, action text, status text,
               rows_inserted bigint, rows_deleted bigint, duration_ms double precision,
               error_message text, reason text)
LANGUAGE sql STABLE AS $fn$
  SELECT r.start_time, format('%I.%I', s.pgt_schema, s.pgt_name), r.action, r.status,
         r.rows_inserted, r.rows_deleted,
         (extract(epoch FROM r.end_time - r.start_time) * 1000)::double precision,
         r.error_message, r.reason
    FROM pgtrickle.pgt_refresh_history r
    JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = r.pgt_id
   ORDER BY r.start_time DESC, r.refresh_id DESC
   LIMIT max_rows
$fn$;

DROP FUNCTION pgtrickle.get_refresh_history(text, integer);
CREATE FUNCTION pgtrickle.get_refresh_history(name text, max_rows integer DEFAULT 20)
RETURNS TABLE (start_time timestamptz, stream_table text, action text, status text,
               rows_inserted bigint, rows_deleted bigint, duration_ms double precision,
               error_message text, reason text)
LANGUAGE sql STABLE AS $fn$
  SELECT r.start_time, format('%I.%I', s.pgt_schema, s.pgt_name), r.action, r.status,
         r.rows_inserted, r.rows_deleted,
         (extract(epoch FROM r.end_time - r.start_time) * 1000)::double precision,
         r.error_message, r.reason
    FROM pgtrickle.pgt_refresh_history r
    JOIN pgtrickle.pgt_stream_tables s ON s.pgt_id = r.pgt_id
   WHERE r.pgt_id = pgtrickle.resolve_stream_table($1)
   ORDER BY r.start_time DESC, r.refresh_id DESC
   LIMIT $2
$fn$;
