-- What a stream table's refreshes actually cost, learned from its own refreshes, so a refresh
-- recomputes when applying its batch is predicted to cost much more than the last recompute.
-- Written by the statement that records a successful refresh (no write of its own).
ALTER TABLE pgtrickle.pgt_stream_tables
  -- duration of its last recompute (FULL or REINITIALIZE, the first population included); NULL
  -- until it recomputes once
  ADD COLUMN last_recompute_ms  double precision,
  -- differential refreshes learned from since the query last changed; the four averages below
  -- are exponentially smoothed over them (changed rows, duration in ms, their square and product)
  ADD COLUMN delta_refreshes    integer NOT NULL DEFAULT 0,
  ADD COLUMN delta_rows_avg     double precision NOT NULL DEFAULT 0,
  ADD COLUMN delta_ms_avg       double precision NOT NULL DEFAULT 0,
  ADD COLUMN delta_rows_sq_avg  double precision NOT NULL DEFAULT 0,
  ADD COLUMN delta_rows_ms_avg  double precision NOT NULL DEFAULT 0,
  -- refreshes since the last differential one that cost less than recomputing would have
  ADD COLUMN costly_streak      integer NOT NULL DEFAULT 0;
