package dev.trickle.rewriter.parse;

/**
 * A defining query that cannot be used, with the SQLState the driver reports. Pure Java (no
 * {@code java.sql}), so the driver converts it to an {@code SQLException}.
 */
public final class QueryException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String sqlState;

  public QueryException(String sqlState, String message) {
    super(message);
    this.sqlState = sqlState;
  }

  public QueryException(String sqlState, String message, Throwable cause) {
    super(message, cause);
    this.sqlState = sqlState;
  }

  /** The SQLState for the driver's exception. */
  public String sqlState() {
    return sqlState;
  }
}
