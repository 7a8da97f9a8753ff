package dev.trickle.scheduler;

import dev.trickle.catalog.ServerErrors;
import dev.trickle.catalog.StreamTable;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.catalog.StreamTableStatus;
import dev.trickle.refresh.RefreshOutcome;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The scheduler's lines about one stream table's refresh, each naming the stream table, through
 * SLF4J (logger {@code dev.trickle.scheduler.RefreshLog}): a refresh at DEBUG, one that took longer
 * than {@link #SLOW} at WARN, a failure at WARN, and the failure that left the stream table
 * SUSPENDED or in ERROR at ERROR (it needs someone: {@code resume_stream_table}, or a fix of the
 * query's sources).
 */
final class RefreshLog {
  /** A scheduled refresh that takes longer than this is logged at WARN. */
  static final Duration SLOW = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(RefreshLog.class);

  private RefreshLog() {}

  /** A refresh of {@code st} that completed after {@code startNanos}. */
  static void refreshed(StreamTableNode st, RefreshOutcome outcome, long startNanos) {
    long millis = (System.nanoTime() - startNanos) / 1_000_000;
    boolean slow = millis > SLOW.toMillis();
    LOG.atLevel(slow ? Level.WARN : Level.DEBUG)
        .log(
            () ->
                (slow ? "slow refresh: " : "")
                    + "refreshed "
                    + st.name()
                    + ": "
                    + outcome.action()
                    + ", +"
                    + outcome.counts().rowsInserted()
                    + " -"
                    + outcome.counts().rowsDeleted()
                    + " rows, "
                    + millis
                    + " ms");
  }

  /**
   * A failed refresh of {@code st}, recorded by the engine; reads the stream table's status on
   * {@code c} to say whether this failure suspended it or put it in ERROR.
   */
  static void failed(Connection c, StreamTableNode st, SQLException e) {
    Optional<StreamTableStatus> status = statusAfter(c, st);
    String message = ServerErrors.message(e);
    if (status.orElse(null) == StreamTableStatus.SUSPENDED) {
      LOG.error(
          "stream table {} is SUSPENDED after repeated failed refreshes; the last: {}. Fix the"
              + " cause, then SELECT pgtrickle.resume_stream_table('{}')",
          st.name(),
          message,
          st.name());
    } else if (status.orElse(null) == StreamTableStatus.ERROR) {
      LOG.error(
          "stream table {} is in ERROR: its query no longer fits the database ({}); alter or"
              + " recreate it",
          st.name(),
          message);
    } else {
      LOG.warn("refresh of {} failed: {}", st.name(), message);
    }
  }

  /** A refresh of {@code st} not attempted, and why. */
  static void skipped(StreamTableNode st, String why) {
    LOG.debug("skipped {}: {}", st.name(), why);
  }

  private static Optional<StreamTableStatus> statusAfter(Connection c, StreamTableNode st) {
    try {
      return StreamTableCatalog.findById(c, st.pgtId())
          .map(StreamTable::state)
          .map(s -> s.status());
    } catch (SQLException readFailed) {
      return Optional.empty();
    }
  }
}
