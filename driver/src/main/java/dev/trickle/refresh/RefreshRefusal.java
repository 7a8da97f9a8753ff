package dev.trickle.refresh;

import java.sql.SQLException;

/**
 * A refresh that was not attempted because the stream table or the transaction does not allow it
 * (suspended, or a snapshot older than the last refresh). Not counted as a failure and not
 * recorded in the history.
 */
final class RefreshRefusal extends SQLException {
  private static final long serialVersionUID = 1L;

  RefreshRefusal(String message, String sqlState) {
    super(message, sqlState);
  }
}
