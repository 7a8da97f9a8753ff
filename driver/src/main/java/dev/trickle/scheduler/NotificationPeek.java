package dev.trickle.scheduler;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.PGStream;
import org.postgresql.core.QueryExecutorBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spares the leader's listening connection PgJDBC's blocking look for more messages after each
 * notification.
 *
 * <p>Having read a notification, PgJDBC's {@code getNotifications(timeout)} asks its stream whether
 * another message is pending, and the stream answers with a read that blocks up to 1 ms (it means
 * to do so at most once a second, but a read that times out does not record the time, so every
 * wake-up pays it; docs/benchmarks/README.md, "Change-to-visible latency"). That millisecond lies
 * on the way of every change to its stream tables. With the stream's next look set to never, the question is
 * answered from what is already buffered: notifications that arrived together are still read
 * together, and one that arrives just after is read by the next wait, which blocks for it as
 * before. The connection reads no COPY data, the only other user of that look.
 *
 * <p>The setting is private to PgJDBC and reached by reflection; should a PgJDBC version lack it,
 * the connection keeps PgJDBC's behaviour (the wait costs its millisecond, nothing else changes).
 */
final class NotificationPeek {
  private static final Logger LOG = LoggerFactory.getLogger(NotificationPeek.class);

  private NotificationPeek() {}

  /** Turns the look off for {@code c}; whether it could be. */
  static boolean skip(Connection c) {
    try {
      Object executor = c.unwrap(BaseConnection.class).getQueryExecutor();
      Field stream = QueryExecutorBase.class.getDeclaredField("pgStream");
      stream.setAccessible(true);
      Field nextLook = PGStream.class.getDeclaredField("nextStreamAvailableCheckTime");
      nextLook.setAccessible(true);
      nextLook.setLong(stream.get(executor), Long.MAX_VALUE);
      return true;
    } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
      LOG.atDebug().log(
          () -> "notifications keep PgJDBC's blocking look for more messages: " + e);
      return false;
    }
  }
}
