package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * With PgJDBC's look for more messages turned off, the listening connection still receives every
 * notification: those sent together, one sent while it waits, and one sent before it waits, and it
 * still runs queries.
 */
class NotificationPeekTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void everyNotificationStillArrives() throws Exception {
    try (Connection listener = db.connectPlain();
        Connection sender = db.connectPlain()) {
      execute(listener, "LISTEN peek_test");
      assertThat(NotificationPeek.skip(listener)).isTrue();

      execute(sender, "BEGIN", "NOTIFY peek_test, '1'", "NOTIFY peek_test, '2'",
          "NOTIFY peek_test, '3'", "COMMIT");
      assertThat(receive(listener, 3)).containsExactly("1", "2", "3");

      Thread late =
          new Thread(
              () -> {
                try {
                  Thread.sleep(200);
                  execute(sender, "NOTIFY peek_test, '4'");
                } catch (InterruptedException | SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      late.start();
      assertThat(receive(listener, 1)).containsExactly("4");
      late.join();

      execute(sender, "NOTIFY peek_test, '5'", "NOTIFY peek_test, '6'");
      Thread.sleep(100);
      assertThat(receive(listener, 2)).containsExactly("5", "6");
      assertThat(SchedulerHarness.value(listener, "SELECT 42")).isEqualTo("42");
    }
  }

  /** The payloads of the next {@code n} notifications, waiting at most 10 s in all. */
  private static List<String> receive(Connection c, int n) throws SQLException {
    List<String> payloads = new ArrayList<>();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (payloads.size() < n && System.nanoTime() < deadline) {
      PGNotification[] arrived = c.unwrap(PGConnection.class).getNotifications(500);
      for (PGNotification notification : arrived == null ? new PGNotification[0] : arrived) {
        payloads.add(notification.getParameter());
      }
    }
    return payloads;
  }
}
