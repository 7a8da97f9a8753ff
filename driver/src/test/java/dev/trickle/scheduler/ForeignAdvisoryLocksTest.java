package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static dev.trickle.scheduler.SchedulerHarness.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A role that may only connect holds every advisory key the driver ever used (scheduler leadership
 * {@code (0x54524B53, 0)}, a stream table's refresh {@code (0x54524B52, storage oid)}, a change
 * buffer's cleanup {@code (0x54524B42, source oid)}, the catalog {@code (0x54524B43, 0)}) and tries
 * to take the leadership row: it cannot, and the scheduler leads and refreshes, a manual refresh
 * and its buffer cleanup go through, and the catalog can be checked and upgraded, as if it were
 * not there.
 */
class ForeignAdvisoryLocksTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String INTRUDER = "trickle_intruder_" + ProcessHandle.current().pid();

  @BeforeAll
  static void createIntruder() throws SQLException {
    try (Connection admin = db.connectAdmin()) {
      execute(
          admin,
          "CREATE ROLE " + INTRUDER + " LOGIN PASSWORD 'intruder'",
          "GRANT CONNECT ON DATABASE " + db.name() + " TO " + INTRUDER);
    }
  }

  @AfterAll
  static void dropIntruder() throws SQLException {
    SchedulerHarness.stop(db);
    try (Connection admin = db.connectAdmin()) {
      execute(admin, "DROP OWNED BY " + INTRUDER, "DROP ROLE " + INTRUDER);
    }
  }

  @Test
  void aRoleThatMayOnlyConnectCannotStallTheSchedulerARefreshOrItsCleanup() throws Exception {
    Properties limited = SchedulerHarness.noScheduler();
    // Were anything to wait on the intruder's locks, it would fail here instead of hanging.
    limited.setProperty("options", "-c statement_timeout=20000");
    try (Connection c = db.connect(limited)) {
      execute(
          c,
          "CREATE EXTENSION pg_trickle",
          "CREATE TABLE src (id int PRIMARY KEY, v int)",
          "INSERT INTO src VALUES (1, 1), (2, 2)",
          "SELECT pgtrickle.create_stream_table('st', 'SELECT id, v FROM src', '1s',"
              + " 'DIFFERENTIAL')");
      String storage = value(c, "SELECT 'st'::regclass::oid::int");
      String source = value(c, "SELECT 'src'::regclass::oid::int");
      try (Connection intruder = intruder()) {
        execute(
            intruder,
            "SELECT pg_advisory_lock(1414679379, 0)",
            "SELECT pg_advisory_lock(1414679378, " + storage + ")",
            "SELECT pg_advisory_lock(1414679362, " + source + ")",
            "SELECT pg_advisory_lock(1414679363, 0)");
        assertThatThrownBy(() -> execute(intruder, "SELECT pgtrickle.take_scheduler_leadership()"))
            .isInstanceOf(SQLException.class)
            .extracting(e -> ((SQLException) e).getSQLState())
            .isEqualTo("42501");

        execute(c, "UPDATE src SET v = v + 10", "SELECT pgtrickle.refresh_stream_table('st')");
        assertThat(SchedulerHarness.matchesQuery(c, "st")).isTrue();
        // The cleanup a refresh runs (now or, paced, at a later refresh), called directly.
        execute(c, "SELECT pgtrickle.clean_up_changes(ARRAY[" + source + "::oid])");
        assertThat(value(c, "SELECT count(*) FROM pgtrickle_changes.changes_" + source))
            .as("the consumed changes were cleaned up")
            .isEqualTo("0");
        execute(c, "CREATE EXTENSION IF NOT EXISTS pg_trickle");

        RefreshScheduler scheduler = SchedulerHarness.start(db);
        Await.until(Duration.ofSeconds(30), "the scheduler leads", scheduler::isLeader);
        execute(c, "INSERT INTO src VALUES (3, 3)");
        Await.until(
            Duration.ofSeconds(30),
            "the scheduler refreshed st",
            () -> "3".equals(value(c, "SELECT count(*) FROM st")));
        assertThat(SchedulerHarness.matchesQuery(c, "st")).isTrue();
      }
    }
  }

  private static Connection intruder() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", INTRUDER);
    p.setProperty("password", "intruder");
    p.setProperty("ApplicationName", "intruder-app");
    return DriverManager.getConnection(db.plainUrl(), p);
  }
}
