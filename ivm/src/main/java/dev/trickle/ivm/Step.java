package dev.trickle.ivm;

/**
 * One SQL statement of a maintenance program, with what its update count means for the refresh
 * history.
 */
public record Step(String sql, Counts counts) {

  /** How the statement's update count is reported. */
  public enum Counts {
    /** Not reported (work on temporary or state tables). */
    NONE,
    /** Rows deleted from the stream table. */
    DELETED,
    /** Rows inserted into the stream table. */
    INSERTED
  }

  /** A statement whose count is not reported. */
  static Step of(String sql) {
    return new Step(sql, Counts.NONE);
  }
}
