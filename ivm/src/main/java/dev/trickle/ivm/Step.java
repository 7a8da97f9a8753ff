package dev.trickle.ivm;

import java.util.List;

/**
 * One statement of a maintenance program, with what its update count means for the refresh
 * history; or a loop (a fixpoint iteration of recursive maintenance): run {@link #body()}, then
 * run {@link #sql()}, a query returning one boolean, and repeat while it is true.
 */
public record Step(String sql, Counts counts, List<Step> body) {

  /** Upper bound of loop iterations: a recursion deeper than this is treated as not terminating. */
  public static final int MAX_ITERATIONS = 100_000;

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
    this(sql, counts, List.of());
  }

  /** A statement whose count is not reported. */
  static Step of(String sql) {
    return new Step(sql, Counts.NONE);
  }

  /** Runs {@code body}, then repeats it while {@code continueWhile} (a boolean query) is true. */
  static Step loop(List<Step> body, String continueWhile) {
    return new Step(continueWhile, Counts.NONE, body);
  }

  /** True for a loop. */
  public boolean isLoop() {
    return !body.isEmpty();
  }
}
