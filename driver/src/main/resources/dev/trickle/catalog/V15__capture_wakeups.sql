-- Trickle catalog, version 15: a capture trigger wakes the scheduler only when it waits for that.
--
-- The capture function sent NOTIFY pgtrickle_changes for every statement that changed rows. Every
-- transaction that notifies takes the notification queue's lock at commit and holds it through the
-- commit, so notifying commits of all sessions serialize: with eight writers, that halved the
-- transactions per second. Now the scheduler's leader lists here the sources whose next change it
-- wants to hear about (it arms them before each pass, and disarms a source whose readers are paced
-- once it has heard about it); the capture function notifies only for an armed source, so under a
-- stream of writes a source notifies about once per pass, and with no scheduler running never.
-- Its transaction id is computed once per statement instead of once per row (a column default).
CREATE TABLE IF NOT EXISTS pgtrickle.pgt_change_wakeups (
  source_relid oid PRIMARY KEY
);

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
    INSERT INTO %s (__pgt_xid, __pgt_op, __pgt_row)
      SELECT x.id, 'I', pg_catalog.row_to_json(n.*)
        FROM (SELECT pg_catalog.pg_current_xact_id() AS id) AS x, __pgt_new n;
  ELSIF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
    INSERT INTO %s (__pgt_xid, __pgt_op, __pgt_row)
      SELECT x.id, c.op, c.image
        FROM (SELECT pg_catalog.pg_current_xact_id() AS id) AS x,
             (SELECT 'D'::pg_catalog."char" AS op, pg_catalog.row_to_json(o.*) AS image
                FROM __pgt_old o
              UNION ALL SELECT 'I', pg_catalog.row_to_json(n.*) FROM __pgt_new n) AS c;
  ELSIF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
    INSERT INTO %s (__pgt_xid, __pgt_op, __pgt_row)
      SELECT x.id, 'D', pg_catalog.row_to_json(o.*)
        FROM (SELECT pg_catalog.pg_current_xact_id() AS id) AS x, __pgt_old o;
  ELSE
    INSERT INTO %s (__pgt_op) VALUES ('T');
  END IF;
  IF FOUND AND EXISTS (SELECT FROM pgtrickle.pgt_change_wakeups w
                        WHERE w.source_relid OPERATOR(pg_catalog.=) %s::pg_catalog.oid) THEN
    PERFORM pg_catalog.pg_notify('pgtrickle_changes', %L);
  END IF;
  RETURN NULL;
END
$capture$$body$,
    'capture_' || source, buffer, buffer, buffer, buffer, source::text, source::text);
END
$fn$;

DO $migrate$
BEGIN
  PERFORM pgtrickle.create_capture_function(b.source_relid)
     FROM pgtrickle.pgt_change_buffers b
    WHERE to_regclass(format('pgtrickle_changes.%I', b.buffer_name)) IS NOT NULL;
END
$migrate$;
