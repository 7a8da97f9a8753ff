-- Trickle catalog, version 9: recursive closures in one statement; refresh reads as plain SQL
-- and without a look into the change buffers.
--
-- A recursive stream table's differential refresh computes the rows derived from changed facts
-- with one WITH RECURSIVE statement instead of a loop of statements per recursion level. Its
-- recursive term calls this function only when a derivation chain reaches the iteration limit,
-- which a terminating recursion never does: it then fails with a message instead of running on.
CREATE FUNCTION pgtrickle.recursion_limit_exceeded(iterations integer)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION USING ERRCODE = '54000',
    MESSAGE = format('recursive maintenance did not reach a fixpoint after %s iterations;'
                     ' the recursive query may not terminate on this data', iterations),
    HINT = 'A UNION ALL recursion over a cycle never ends; use UNION to stop at rows already found.';
END
$fn$;

-- A refresh reads its sources and storage table with plain prepared queries now (the server keeps
-- their plans for the session, and they cost less than these calls).
DROP FUNCTION pgtrickle.refresh_sources(bigint);
DROP FUNCTION pgtrickle.relation_shape(oid);

-- A refresh no longer looks into the change buffers before its delta fill: the driver remembers
-- per connection which sources the last small differential refresh applied, and the fill itself
-- counts what it consumed and how full each buffer is.
DROP FUNCTION pgtrickle.buffered_changes(bigint, integer);
