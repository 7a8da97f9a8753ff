package dev.trickle.refresh;

import java.util.Optional;

/**
 * The planner's page costs of the refresh's session, read with the frontier snapshot, and the
 * statements that make a differential program plan with random page reads as cheap as sequential
 * ones, and restore the setting after it.
 *
 * <p>A differential program joins small delta and work tables to large tables and state tables by
 * their keys. With PostgreSQL's default {@code random_page_cost} (4, four times a sequential read:
 * a disk's seek) the planner prices probing an index once per changed row above reading the whole
 * table, and joins a few thousand changed keys to a state table of half a million rows by hashing
 * the whole table, where the probes take a tenth of the time with the table in memory, as a
 * refreshed stream table's inputs usually are. So the program's statements run with {@code
 * random_page_cost} lowered to the session's {@code seq_page_cost}; a setting already at or below
 * it is left alone. The value holds for the program's statements only: a recompute, and the rest of
 * a caller's transaction, see the session's own (a failed program is rolled back with its
 * savepoint or transaction, which restores it too).
 *
 * @param random the session's {@code random_page_cost}, as {@code current_setting} shows it
 * @param seq the session's {@code seq_page_cost}
 */
public record PageCosts(String random, String seq) {
  /** What the frontier query reads, as columns {@code random_page_cost} and {@code seq_page_cost}. */
  static final String COLUMNS =
      "pg_catalog.current_setting('random_page_cost') AS random_page_cost,"
          + " pg_catalog.current_setting('seq_page_cost') AS seq_page_cost";

  /** The statement that lowers {@code random_page_cost} for the program, if it is above. */
  public Optional<String> lower() {
    return above()
        ? Optional.of("SET LOCAL random_page_cost = " + Double.parseDouble(seq))
        : Optional.empty();
  }

  /** The statement that restores the session's {@code random_page_cost}, if it was lowered. */
  public Optional<String> restore() {
    return above()
        ? Optional.of("SET LOCAL random_page_cost = " + Double.parseDouble(random))
        : Optional.empty();
  }

  private boolean above() {
    return Double.parseDouble(random) > Double.parseDouble(seq);
  }
}
