package dev.trickle.rewriter.command;

/**
 * A statement that addresses Trickle but cannot be read as a command. Carries the SQLState the
 * driver reports ({@code 42601} syntax, {@code 22023} bad argument, {@code 0A000} unsupported).
 */
public final class RecognitionException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String sqlState;

  /** A failure with a message naming the problem and the fix, and its SQLState. */
  public RecognitionException(String message, String sqlState) {
    super(message);
    this.sqlState = sqlState;
  }

  /** The SQLState the driver reports for this failure. */
  public String getSqlState() {
    return sqlState;
  }
}
