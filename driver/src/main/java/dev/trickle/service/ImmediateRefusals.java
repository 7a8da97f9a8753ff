package dev.trickle.service;

import dev.trickle.catalog.SqlState;
import java.sql.SQLException;

/**
 * The refusals (0A000) of IMMEDIATE maintenance that are not about the query: an IMMEDIATE stream
 * table is always populated, because its triggers maintain it from its current content, and it
 * starts only where its population can see every write committed before its triggers exist.
 */
final class ImmediateRefusals {
  private ImmediateRefusals() {}

  /** {@code initialize => false} asked of an IMMEDIATE stream table. */
  static SQLException unpopulated(String streamTable) {
    return SqlState.UNSUPPORTED.exception(
        "stream table "
            + streamTable
            + " cannot use refresh_mode IMMEDIATE with initialize => false: its triggers maintain"
            + " it from its current content, so it is populated at once; leave initialize out or"
            + " use a deferred refresh_mode");
  }

  /** IMMEDIATE maintenance set up inside a REPEATABLE READ or SERIALIZABLE transaction. */
  static SQLException oldSnapshot(String streamTable) {
    return SqlState.UNSUPPORTED.exception(
        "stream table "
            + streamTable
            + " cannot start refresh_mode IMMEDIATE inside a REPEATABLE READ or SERIALIZABLE"
            + " transaction: its snapshot may predate writes committed before the triggers exist,"
            + " which neither its population nor its triggers would see; run this command in"
            + " autocommit or in a READ COMMITTED transaction");
  }
}
