package dev.trickle.rewriter.command;

/**
 * A statement that is meant for Trickle (or a name given to it) but cannot be accepted, with the
 * SQLState the driver reports it under. Checked, so that every caller of the recognizer decides how
 * the user sees it; the rewriter does not depend on {@code java.sql}, so the driver turns it into
 * an {@code SQLException}.
 */
public final class RecognitionException extends Exception {
  /** {@code 0A000}: a construct Trickle does not support. */
  public static final String FEATURE_NOT_SUPPORTED = "0A000";

  /** {@code 22023}: an argument or option with a wrong name or value. */
  public static final String INVALID_PARAMETER_VALUE = "22023";

  /** {@code 42601}: malformed Trickle DDL. */
  public static final String SYNTAX_ERROR = "42601";

  /** {@code 42602}: a malformed relation name. */
  public static final String INVALID_NAME = "42602";

  private static final long serialVersionUID = 1L;

  private final String sqlState;

  /** A refusal with the given SQLState and a message that names the problem and the fix. */
  public RecognitionException(String sqlState, String message) {
    super(message);
    this.sqlState = sqlState;
  }

  /** The five-character SQLState, one of the constants of this class. */
  public String getSqlState() {
    return sqlState;
  }
}
