package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.List;

/**
 * One statement of a maintenance program, with what its update count means for the refresh
 * history; or a loop (a fixpoint iteration of recursive maintenance): run {@link #body()}, then
 * run {@link #sql()}, a query returning one boolean, and repeat while it is true, within {@link
 * LoopLimit}; or a fill: make the temporary table {@link #fills()} hold exactly the rows of the
 * query {@link #sql()}.
 *
 * <p>A fill leaves the choice of statements to the runner: one that keeps temporary tables for the
 * session reuses the table (an {@code INSERT} into it), one that does not creates it for the
 * transaction ({@link #transactionScoped()}). Creating a table costs catalog writes, which
 * dominate a small refresh.
 *
 * <p>{@link StepPrinter} prints steps for each way they run.
 */
public record Step(String sql, Counts counts, List<Step> body, String fills) {

  /** How the statement's update count is reported. */
  public enum Counts {
    /** Not reported (work on temporary or state tables). */
    NONE,
    /** Rows deleted from the stream table. */
    DELETED,
    /** Rows inserted into the stream table. */
    INSERTED
  }

  public Step {
    body = List.copyOf(body);
  }

  /** A statement whose update count is reported as {@code counts}. */
  public Step(String sql, Counts counts) {
    this(sql, counts, List.of(), null);
  }

  /** A statement whose count is not reported. */
  static Step of(String sql) {
    return new Step(sql, Counts.NONE);
  }

  /**
   * Inserts the rows of {@code query} into the table {@code table}, for state rebuilt from the
   * whole query: a call of {@code pgtrickle.insert_query_rows}, which computes the rows with
   * parallel workers when PostgreSQL plans the query so and expects few rows ({@code INSERT ...
   * SELECT} never runs in parallel), as {@code REFRESH MATERIALIZED VIEW} and a FULL refresh do.
   */
  static Step insertRows(String table, String query) {
    return of("CALL pgtrickle.insert_query_rows(" + Sql.literal(table) + ", "
        + Sql.dollarQuoted(query) + ")");
  }

  /** Runs {@code body}, then repeats it while {@code continueWhile} (a boolean query) is true. */
  static Step loop(List<Step> body, String continueWhile) {
    return new Step(continueWhile, Counts.NONE, body, null);
  }

  /**
   * Makes the temporary table {@code table} ({@code pg_temp."name"}) hold the rows of {@code
   * query}, whatever it held before; the query fixes the table's columns.
   */
  static Step fill(String table, String query) {
    if (!table.startsWith("pg_temp.")) {
      throw new IllegalArgumentException("a fill targets a pg_temp table: " + table);
    }
    return new Step(query, Counts.NONE, List.of(), table);
  }

  /** True for a loop. */
  public boolean isLoop() {
    return !body.isEmpty();
  }

  /** True for a fill of a temporary table. */
  public boolean isFill() {
    return fills != null;
  }

  /**
   * The statements of a plain step or a fill in a form that needs nothing from earlier
   * transactions: a fill drops the table and creates it {@code ON COMMIT DROP}.
   */
  public List<String> transactionScoped() {
    if (isLoop()) {
      throw new IllegalStateException("a loop is not one statement");
    }
    if (!isFill()) {
      return List.of(sql);
    }
    return List.of("DROP TABLE IF EXISTS " + fills, "CREATE TEMP TABLE " + fills + " ON COMMIT DROP AS " + sql);
  }
}
