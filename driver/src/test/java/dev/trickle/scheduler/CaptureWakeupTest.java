package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static dev.trickle.scheduler.SchedulerHarness.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * A capture trigger notifies {@code pgtrickle_changes} only when the scheduler's leader waits for
 * that source's next change: never without a leader, once per transaction and source while armed,
 * and no more once the leader has heard about a source whose readers are paced. Every write is
 * still captured.
 */
class CaptureWakeupTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private Connection trickle;
  private Connection writer;
  private Connection listener;

  @BeforeEach
  void setUp() throws Exception {
    trickle = db.connectWithoutScheduler();
    writer = db.connectPlain();
    listener = db.connectPlain();
    execute(trickle, "CREATE EXTENSION pg_trickle",
        "CREATE TABLE accounts (id int PRIMARY KEY, balance int)",
        "CREATE TABLE branches (id int PRIMARY KEY, name text)",
        "INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 10) g",
        "INSERT INTO branches VALUES (1, 'one')",
        "SELECT pgtrickle.create_stream_table('totals',"
            + " 'SELECT count(*) AS n, sum(balance) AS total FROM accounts',"
            + " schedule => '1h', refresh_mode => 'DIFFERENTIAL')",
        "SELECT pgtrickle.create_stream_table('names', 'SELECT id, name FROM branches',"
            + " schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
    execute(listener, "LISTEN pgtrickle_changes");
  }

  @AfterEach
  void tearDown() throws Exception {
    SchedulerHarness.stop(db);
    execute(trickle, "DROP EXTENSION pg_trickle CASCADE", "DROP TABLE accounts, branches CASCADE");
    trickle.close();
    writer.close();
    listener.close();
  }

  private List<String> notifications() throws SQLException {
    // a round trip delivers what the server queued for this session
    value(listener, "SELECT 1");
    List<String> payloads = new ArrayList<>();
    PGNotification[] received = listener.unwrap(PGConnection.class).getNotifications();
    for (PGNotification n : received == null ? new PGNotification[0] : received) {
      payloads.add(n.getParameter());
    }
    return payloads;
  }

  private String oid(String table) throws SQLException {
    return value(writer, "SELECT '" + table + "'::regclass::oid");
  }

  private long buffered(String table) throws SQLException {
    return Long.parseLong(value(writer, "SELECT count(*) FROM pgtrickle_changes.changes_"
        + oid(table)));
  }

  @Test
  void withoutALeaderNoWriteNotifiesAndEveryWriteIsCaptured() throws Exception {
    execute(writer, "UPDATE accounts SET balance = balance + 1 WHERE id = 1",
        "BEGIN", "INSERT INTO accounts VALUES (11, 5)", "DELETE FROM accounts WHERE id = 2",
        "COMMIT", "INSERT INTO branches VALUES (2, NULL)", "TRUNCATE branches");
    writer.setAutoCommit(false);
    execute(writer, "UPDATE accounts SET balance = NULL WHERE id = 3");
    writer.commit();
    writer.setAutoCommit(true);

    assertThat(notifications()).isEmpty();
    assertThat(buffered("accounts")).isEqualTo(2 + 2 + 2);
    assertThat(buffered("branches")).isEqualTo(2);
  }

  @Test
  void anArmedSourceNotifiesOncePerTransactionAndSourceAtCommit() throws Exception {
    execute(trickle, "INSERT INTO pgtrickle.pgt_change_wakeups VALUES ('accounts'::regclass),"
        + " ('branches'::regclass)");
    execute(writer, "BEGIN", "UPDATE accounts SET balance = 1 WHERE id = 1",
        "UPDATE accounts SET balance = 2 WHERE id = 2", "INSERT INTO accounts VALUES (11, 0)",
        "INSERT INTO branches VALUES (2, 'two')");
    assertThat(notifications()).isEmpty();
    execute(writer, "COMMIT");
    assertThat(notifications()).containsExactlyInAnyOrder(oid("accounts"), oid("branches"));

    execute(writer, "BEGIN", "SAVEPOINT s", "DELETE FROM accounts WHERE id = 11",
        "ROLLBACK TO SAVEPOINT s", "ROLLBACK");
    execute(writer, "UPDATE accounts SET balance = 3 WHERE id = 99");
    assertThat(notifications()).as("rolled back, or no row changed").isEmpty();

    execute(writer, "UPDATE accounts SET balance = 3 WHERE id = 3");
    assertThat(notifications()).containsExactly(oid("accounts"));
  }

  @Test
  void theLeaderArmsSourcesAndDisarmsOnesWhoseReadersArePaced() throws Exception {
    // a long interval: passes run only when a notification or a paced refresh makes them
    RefreshScheduler scheduler =
        SchedulerHarness.start(db, "trickle.scheduler_interval_ms", "60000");
    Await.until(Duration.ofSeconds(30), "the scheduler leads and armed both sources",
        () -> scheduler.isLeader() && "2".equals(
            value(writer, "SELECT count(*) FROM pgtrickle.pgt_change_wakeups")));
    assertThat(value(writer, "SELECT count(*) FROM pgtrickle.pgt_change_wakeups"
        + " WHERE source_relid IN (SELECT pgt_relid FROM pgtrickle.pgt_stream_tables)"))
        .as("stream tables the scheduler refreshes are not armed").isEqualTo("0");

    execute(writer, "UPDATE accounts SET balance = balance + 1 WHERE id = 1");
    assertThat(notifications()).containsExactly(oid("accounts"));
    // totals refreshes at most once an hour: once the leader has refreshed it and heard of the
    // next change, it takes accounts off the list until its next pass
    Await.until(Duration.ofSeconds(30), "the leader disarmed accounts", () -> {
      execute(writer, "UPDATE accounts SET balance = balance + 1 WHERE id = 2");
      return "0".equals(value(writer, "SELECT count(*) FROM pgtrickle.pgt_change_wakeups"
          + " WHERE source_relid = 'accounts'::regclass"));
    });
    notifications();
    for (int i = 0; i < 20; i++) {
      execute(writer, "UPDATE accounts SET balance = balance + 1 WHERE id = " + (i % 10 + 1));
    }
    assertThat(value(writer, "SELECT count(*) FROM pgtrickle.pgt_change_wakeups"
        + " WHERE source_relid = 'accounts'::regclass")).as("no pass in between").isEqualTo("0");
    assertThat(notifications()).doesNotContain(oid("accounts"));
    execute(writer, "INSERT INTO branches VALUES (2, 'two')");
    assertThat(notifications()).as("branches is still armed").containsExactly(oid("branches"));

    assertThat(scheduler.stop(Duration.ofSeconds(10))).isTrue();
    assertThat(value(writer, "SELECT count(*) FROM pgtrickle.pgt_change_wakeups"))
        .as("the leader empties the list when it stops").isEqualTo("0");
    notifications();
    execute(writer, "UPDATE accounts SET balance = 0", "INSERT INTO branches VALUES (3, 'x')");
    assertThat(notifications()).isEmpty();
  }

  @Test
  void aWakeUpBringsAChangeToAStreamTableLongBeforeTheSchedulerInterval() throws Exception {
    execute(trickle, "SELECT pgtrickle.alter_stream_table('totals', schedule => '1s')");
    // without wake-ups, a change would wait for the next interval: a minute
    RefreshScheduler scheduler =
        SchedulerHarness.start(db, "trickle.scheduler_interval_ms", "60000");
    Await.until(Duration.ofSeconds(30), "the scheduler leads", scheduler::isLeader);
    for (int i = 1; i <= 5; i++) {
      execute(writer, "UPDATE accounts SET balance = balance + 10 WHERE id = " + i);
      Await.until(Duration.ofSeconds(30), "write " + i + " is visible",
          () -> SchedulerHarness.matchesQuery(writer, "totals"));
    }
  }

  @Test
  void droppingTheLastReaderOfASourceTakesItOffTheList() throws Exception {
    execute(trickle, "INSERT INTO pgtrickle.pgt_change_wakeups VALUES ('branches'::regclass)");
    execute(trickle, "SELECT pgtrickle.drop_stream_table('names')");
    assertThat(value(writer, "SELECT count(*) FROM pgtrickle.pgt_change_wakeups")).isEqualTo("0");
  }
}
