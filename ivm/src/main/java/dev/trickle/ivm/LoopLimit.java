package dev.trickle.ivm;

import dev.trickle.sql.Sql;

/**
 * The one rule for loops of maintenance (fixpoint iterations of recursive queries), wherever they
 * run: a loop's body runs at most {@link #MAX_ITERATIONS} times, and when the loop still wants
 * another iteration after that, maintenance fails with SQLSTATE {@value #SQLSTATE} and a message
 * naming the stream table, rather than running on or stopping silently with a wrong result. A
 * recursion that terminates never gets near the limit; one over a cycle (a {@code UNION ALL}
 * recursion) never ends.
 *
 * <p>The client-side loop of a refresh asks {@link #reached}; the printed forms (a server-side
 * loop, a trigger body, a {@code WITH RECURSIVE} closure) print the same test through {@link
 * #plpgsqlCheck} and {@link #sqlCheck}.
 */
public final class LoopLimit {
  /** Upper bound of loop iterations: a recursion deeper than this is treated as not terminating. */
  public static final int MAX_ITERATIONS = 100_000;

  /** {@code program_limit_exceeded}. */
  public static final String SQLSTATE = "54000";

  /** What to do about it, for the {@code HINT} of the server's error. */
  public static final String HINT =
      "A UNION ALL recursion over a cycle never ends; use UNION to stop at rows already found.";

  private final String message;

  /** The limit of the loops maintaining {@code streamTable} (its name for messages). */
  public LoopLimit(String streamTable) {
    this.message =
        "stream table " + streamTable + ": recursive maintenance did not reach a fixpoint after "
            + MAX_ITERATIONS + " iterations; the recursive query may not terminate on this data";
  }

  /** The limit of the loops maintaining the stream table stored in {@code names}. */
  static LoopLimit of(StorageNames names) {
    return new LoopLimit(Sql.display(names.schema(), names.table()));
  }

  /** True when a loop that ran its body {@code iterations} times and wants more must fail. */
  public boolean reached(int iterations) {
    return iterations >= MAX_ITERATIONS;
  }

  /** The error message, naming the stream table and the limit. */
  public String message() {
    return message;
  }

  /**
   * A PL/pgSQL statement that fails with {@link #SQLSTATE} when the loop counter {@code counter}
   * (the body runs done) has reached the limit.
   */
  public String plpgsqlCheck(String counter) {
    return "IF " + counter + " >= " + MAX_ITERATIONS + " THEN RAISE EXCEPTION USING ERRCODE = "
        + Sql.literal(SQLSTATE) + ", MESSAGE = " + Sql.literal(message) + ", HINT = "
        + Sql.literal(HINT) + "; END IF;";
  }

  /**
   * A boolean SQL expression, true while {@code depth} (a recursion's level) is below the limit
   * and failing with {@link #SQLSTATE} when it reaches it: the condition of a {@code WITH
   * RECURSIVE} term, which has no loop counter of its own to test.
   */
  String sqlCheck(String depth) {
    return "CASE WHEN " + depth + " < " + MAX_ITERATIONS
        + " THEN true ELSE pgtrickle.loop_limit_reached(" + Sql.literal(message) + ", "
        + Sql.literal(HINT) + ") END";
  }
}
