package dev.trickle.refresh;

import java.sql.SQLException;

/**
 * Sends statements that evaluate a stream table's defining query (or any code of its owner) so
 * that they run as the stream table's owner and cannot act as anyone else ({@link OwnerExecutor}).
 * The differential program and the FULL recompute send everything through it.
 */
@FunctionalInterface
public interface AsOwner {
  /**
   * Runs the statements of {@code batch} in order, as the owner, in one round trip, and forgets
   * them. The batch holds plain statements and queries added with {@link StatementBatch#addQuery};
   * it has no readers of rows and no bound values.
   */
  StatementBatch.Result run(StatementBatch batch) throws SQLException;
}
