-- Trickle catalog, version 18: one rule for the loops of maintenance.
--
-- Every loop of maintenance (a refresh's fixpoint loop, on the client or in a DO block, an
-- IMMEDIATE trigger's loop, a recursive closure's WITH RECURSIVE term) stops at the same limit
-- with the same error: SQLSTATE 54000 and a message naming the stream table. A closure's recursive
-- term, which cannot raise by itself, calls this function with the message the driver printed;
-- it replaces recursion_limit_exceeded(integer), whose message named no stream table.
CREATE FUNCTION pgtrickle.loop_limit_reached(message text, hint text)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION USING ERRCODE = '54000', MESSAGE = message, HINT = hint;
END
$fn$;

DROP FUNCTION IF EXISTS pgtrickle.recursion_limit_exceeded(integer);
