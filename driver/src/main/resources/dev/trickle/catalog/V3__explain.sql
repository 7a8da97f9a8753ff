-- The compiled plan of each stream table, for pgtrickle.explain_st.
ALTER TABLE pgtrickle.pgt_stream_tables ADD COLUMN plan_explain text[];
ALTER TABLE pgtrickle.pgt_stream_tables ADD COLUMN plan_delta_sql text;

-- How a stream table is maintained: mode, strategy per operator, the delta SQL, sources, frontier.
CREATE FUNCTION pgtrickle.explain_st(name text)
RETURNS TABLE (property text, value text)
LANGUAGE sql STABLE AS $fn$
  WITH st AS (
    SELECT * FROM pgtrickle.pgt_stream_tables WHERE pgt_id = pgtrickle.resolve_stream_table($1)
  )
  SELECT 'name', format('%I.%I', pgt_schema, pgt_name) FROM st
  UNION ALL SELECT 'requested_mode', requested_mode FROM st
  UNION ALL SELECT 'refresh_mode', effective_mode FROM st
  UNION ALL SELECT 'mode_reason', mode_reason FROM st WHERE mode_reason IS NOT NULL
  UNION ALL SELECT 'schedule', COALESCE(schedule, 'calculated') FROM st
  UNION ALL SELECT 'defining_query', defining_query FROM st
  UNION ALL SELECT CASE WHEN e.n = 1 THEN 'strategy' ELSE 'operator' END, e.line
              FROM st, unnest(st.plan_explain) WITH ORDINALITY AS e(line, n)
  UNION ALL SELECT 'delta_sql', plan_delta_sql FROM st WHERE plan_delta_sql IS NOT NULL
  UNION ALL SELECT 'source', format('%I.%I (%s)', d.source_schema, d.source_name, d.source_kind)
              FROM st JOIN pgtrickle.pgt_dependencies d ON d.pgt_id = st.pgt_id
  UNION ALL SELECT 'frontier', format('%s: %s', f.source_relid::regclass, f.frontier)
              FROM st JOIN pgtrickle.pgt_frontiers f ON f.pgt_id = st.pgt_id
$fn$;
