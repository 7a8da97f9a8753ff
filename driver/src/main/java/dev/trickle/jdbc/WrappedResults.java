package dev.trickle.jdbc;

import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Wraps a statement's result sets so that {@link ResultSet#getStatement()} returns the wrapper
 * statement, handing out the same wrapper while the delegate returns the same result set.
 */
final class WrappedResults {
  private final Statement owner;
  private ResultSet lastDelegate;
  private ResultSet lastWrapper;

  WrappedResults(Statement owner) {
    this.owner = owner;
  }

  ResultSet wrap(ResultSet delegate) {
    if (delegate == null) {
      return null;
    }
    if (delegate != lastDelegate) {
      lastWrapper = TrickleResultSet.wrap(owner, delegate);
      lastDelegate = delegate;
    }
    return lastWrapper;
  }
}
