-- Trickle catalog, version 11: a small refresh commits in its first round trip.
--
-- A refresh that repeats the last small batch of a stream table on a connection sends its closing
-- statements and COMMIT with its first statements. What the client used to check between the two
-- round trips is checked on the server instead, by this function: the batch's reads must digest to
-- what the client remembered, and the delta fill must have found the changes the program was sent
-- for. When they do not, it raises TR001; the transaction aborts, nothing is recorded, and the
-- client runs the refresh again the usual way.
CREATE OR REPLACE FUNCTION pgtrickle.confirm_ahead(holds boolean, what text)
RETURNS boolean
LANGUAGE plpgsql AS $fn$
BEGIN
  IF holds IS NOT TRUE THEN
    RAISE EXCEPTION USING
      ERRCODE = 'TR001',
      MESSAGE = 'the refresh sent in one round trip no longer applies: ' || what,
      HINT = 'The driver runs the refresh again in two round trips; this is not a failure.';
  END IF;
  RETURN true;
END
$fn$;
