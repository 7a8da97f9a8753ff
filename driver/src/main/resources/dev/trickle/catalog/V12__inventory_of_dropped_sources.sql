-- Trickle catalog, version 12: trigger_inventory() (and so health_check()) no longer fails when a
-- captured source was dropped: format('%I') refuses NULL, which coalesce() never got to replace.
-- The dropped source is listed by its oid, its triggers absent.
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
