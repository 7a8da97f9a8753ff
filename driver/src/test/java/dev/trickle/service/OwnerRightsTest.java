package dev.trickle.service;

import static dev.trickle.service.OwnerRoles.assertOwnRole;
import static dev.trickle.service.OwnerRoles.count;
import static dev.trickle.service.OwnerRoles.execute;
import static dev.trickle.service.OwnerRoles.strings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.catalog.DriverSettings;
import dev.trickle.scheduler.SchedulerTarget;
import dev.trickle.scheduler.Schedulers;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A refresh runs as the stream table's owner, whoever refreshes it. The owner here is a role of
 * its own that installed the catalog and owns the stream tables; its defining queries call {@code
 * probe()}, which logs the role it runs as and, when that role is a superuser, makes the owner a
 * superuser ({@code ALTER ROLE ... SUPERUSER}). A superuser then refreshes them every way there is:
 * manually in autocommit and in its own transaction, FULL and DIFFERENTIAL, through {@code
 * create_or_replace_stream_table}, and with its scheduler leading. The owner never becomes a
 * superuser, every logged call ran as the owner, a source the owner may not read stays unread,
 * and the superuser's role is its own again after a refresh, also a failed one.
 */
class OwnerRightsTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final OwnerRoles ROLES = new OwnerRoles(db, "trickle_owner");
  private static final String OWNER = ROLES.owner();
  private static final String MEMBER = ROLES.member();

  @BeforeAll
  static void createOwner() throws SQLException {
    ROLES.create(
        "CREATE SCHEMA secret",
        "CREATE TABLE secret.salaries (id int PRIMARY KEY, amount int)",
        "INSERT INTO secret.salaries VALUES (1, 100), (2, 200)");
    try (Connection c = ROLES.asOwner()) {
      execute(
          c,
          "SET search_path = probe",
          "CREATE EXTENSION pg_trickle",
          "CREATE TABLE src (id int PRIMARY KEY, v int)",
          "INSERT INTO src VALUES (1, 10), (2, 20)",
          "CREATE TABLE calls (who text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())",
          "GRANT INSERT ON calls TO PUBLIC",
          // Volatile: logs who runs it and escalates when that is a superuser.
          "CREATE FUNCTION probe(x int) RETURNS int LANGUAGE plpgsql VOLATILE AS $$"
              + " BEGIN INSERT INTO probe.calls (who) VALUES (current_user);"
              + " IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN"
              + " EXECUTE format('ALTER ROLE %I SUPERUSER', '" + OWNER + "'); END IF;"
              + " RETURN x; END $$",
          // Declared STABLE so that a DIFFERENTIAL query may call it; calls the probe all the same.
          "CREATE FUNCTION probe_stable(x int) RETURNS int LANGUAGE plpgsql STABLE AS $$"
              + " BEGIN RETURN probe.probe(x); END $$",
          // Reads the secret table when it may, and nothing when it may not.
          "CREATE FUNCTION leak() RETURNS TABLE (id int, amount int) LANGUAGE plpgsql STABLE AS $$"
              + " BEGIN RETURN QUERY SELECT s.id, s.amount FROM secret.salaries s;"
              + " EXCEPTION WHEN insufficient_privilege THEN RETURN; END $$",
          "SELECT pgtrickle.create_stream_table('probe.full_st',"
              + " 'SELECT id, probe.probe(v) AS v FROM probe.src', 'calculated', 'FULL')",
          "SELECT pgtrickle.create_stream_table('probe.diff_st',"
              + " 'SELECT id, probe.probe_stable(v) AS v FROM probe.src', 'calculated',"
              + " 'DIFFERENTIAL')",
          // Joined to a captured source, so that a change makes a refresh recompute it.
          "SELECT pgtrickle.create_stream_table('probe.leak_st',"
              + " 'SELECT l.id, l.amount FROM probe.leak() AS l"
              + " CROSS JOIN (SELECT 1 FROM probe.src WHERE id = 1) AS one', 'calculated', 'FULL')",
          "SELECT pgtrickle.create_stream_table('probe.failing_st',"
              + " 'SELECT id, 100 / (v - 30) AS q FROM probe.src', 'calculated', 'FULL')");
    }
  }

  @AfterAll
  static void dropOwner() throws SQLException {
    ROLES.drop();
  }

  @Test
  void aSuperusersManualRefreshRunsAsTheOwner() throws Exception {
    try (Connection su = ROLES.asSuperuser(false)) {
      change();
      execute(
          su,
          "SELECT pgtrickle.refresh_stream_table('probe.full_st')",
          "SELECT pgtrickle.refresh_stream_table('probe.diff_st')");
      assertThat(ROLES.lastAction("diff_st")).isEqualTo("DIFFERENTIAL");
      assertOwnRole(su);

      change();
      su.setAutoCommit(false);
      execute(
          su,
          "SELECT pgtrickle.refresh_stream_table('probe.full_st')",
          "SELECT pgtrickle.refresh_stream_table('probe.diff_st')");
      assertOwnRole(su);
      su.commit();
      assertThat(ROLES.lastAction("diff_st")).isEqualTo("DIFFERENTIAL");
    }
    assertRanOnlyAsTheOwner();
  }

  @Test
  void aSuperusersCreateOrReplaceRunsTheInitialPopulationAsTheOwner() throws Exception {
    try (Connection su = ROLES.asSuperuser(false)) {
      execute(
          su,
          "SELECT pgtrickle.create_or_replace_stream_table('probe.full_st',"
              + " 'SELECT id, probe.probe(v) + 1 AS v FROM probe.src', 'calculated', 'FULL')",
          "SELECT pgtrickle.create_or_replace_stream_table('probe.full_st',"
              + " 'SELECT id, probe.probe(v) AS v FROM probe.src', 'calculated', 'FULL')");
      assertOwnRole(su);
    }
    assertRanOnlyAsTheOwner();
  }

  @Test
  void aSuperusersSchedulerRefreshesAsTheOwner() throws Exception {
    try (Connection owner = ROLES.asOwner()) {
      execute(
          owner,
          "SELECT pgtrickle.alter_stream_table('probe.diff_st', schedule => '1s')",
          "SELECT pgtrickle.alter_stream_table('probe.full_st', schedule => '1s')");
    }
    try (Connection su = ROLES.asSuperuser(true)) {
      Instant before = Instant.now();
      change();
      Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
      while (!(scheduledSince(before, "diff_st") && scheduledSince(before, "full_st"))) {
        assertThat(Instant.now()).as("the superuser's scheduler refreshed both").isBefore(deadline);
        Thread.sleep(100);
      }
    } finally {
      Schedulers.running(SchedulerTarget.of(db.plainUrl(), new Properties(), DriverSettings.NONE).key())
          .ifPresent(s -> s.stop(Duration.ofSeconds(10)));
      try (Connection owner = ROLES.asOwner()) {
        execute(
            owner,
            "SELECT pgtrickle.alter_stream_table('probe.diff_st', schedule => 'calculated')",
            "SELECT pgtrickle.alter_stream_table('probe.full_st', schedule => 'calculated')");
      }
    }
    assertRanOnlyAsTheOwner();
  }

  @Test
  void aSourceTheOwnerMayNotReadStaysUnreadWhoeverRefreshes() throws Exception {
    change();
    try (Connection su = ROLES.asSuperuser(false)) {
      execute(su, "SELECT pgtrickle.refresh_stream_table('probe.leak_st')");
      assertThat(count(su, "SELECT count(*) FROM secret.salaries")).isEqualTo(2);
    }
    assertThat(ROLES.lastAction("leak_st")).as("the refresh recomputed the query").isEqualTo("FULL");
    try (Connection c = ROLES.asOwner()) {
      assertThat(count(c, "SELECT count(*) FROM probe.leak_st")).isZero();
    }
  }

  @Test
  void theSuperusersRoleIsItsOwnAgainAfterAFailedRefresh() throws Exception {
    try (Connection owner = ROLES.asOwner()) {
      execute(owner, "INSERT INTO probe.src VALUES (3, 30) ON CONFLICT (id) DO UPDATE SET v = 30");
    }
    try (Connection su = ROLES.asSuperuser(false)) {
      SqlStates.assertFails(
          () -> execute(su, "SELECT pgtrickle.refresh_stream_table('probe.failing_st')"),
          "22012",
          "division by zero");
      assertOwnRole(su);

      su.setAutoCommit(false);
      SqlStates.assertFails(
          () -> execute(su, "SELECT pgtrickle.refresh_stream_table('probe.failing_st')"),
          "22012",
          "division by zero");
      assertOwnRole(su);
      execute(su, "SET LOCAL ROLE " + OWNER, "SELECT pgtrickle.refresh_stream_table('probe.full_st')");
      assertThat(currentUser(su)).as("the caller's own SET LOCAL ROLE stands").isEqualTo(OWNER);
      su.rollback();
      assertOwnRole(su);
    } finally {
      try (Connection owner = ROLES.asOwner()) {
        execute(owner, "DELETE FROM probe.src WHERE id = 3");
      }
    }
  }

  @Test
  void aRoleThatMayNotActAsTheOwnerIsRefusedNamingTheStreamTableAndItsOwner() throws Exception {
    // A member of the catalog's owner creates a stream table; the catalog's owner is not a member
    // of that role, so it may not refresh it, and is told so; nothing is recorded as a failure.
    try (Connection member = ROLES.asMember()) {
      execute(
          member,
          "SELECT pgtrickle.create_stream_table('probe.members_st',"
              + " 'SELECT id, v FROM probe.src', 'calculated', 'FULL')");
    }
    try (Connection c = ROLES.asOwner()) {
      SqlStates.assertFails(
          () -> execute(c, "SELECT pgtrickle.refresh_stream_table('probe.members_st')"),
          "42501",
          "stream table probe.members_st");
      SqlStates.assertFails(
          () -> execute(c, "SELECT pgtrickle.refresh_stream_table('probe.members_st')"),
          "42501",
          "owner, role \"" + MEMBER + "\"");
      assertThat(
              count(c, "SELECT consecutive_errors FROM pgtrickle.pgt_stream_tables"
                  + " WHERE pgt_name = 'members_st'"))
          .isZero();
    }
    try (Connection member = ROLES.asMember()) {
      execute(member, "SELECT pgtrickle.drop_stream_table('probe.members_st')");
    }
  }

  private static void change() throws SQLException {
    try (Connection c = ROLES.asOwner()) {
      execute(c, "UPDATE probe.src SET v = v + 1");
    }
  }

  private static void assertRanOnlyAsTheOwner() throws SQLException {
    try (Connection admin = db.connectAdmin()) {
      assertThat(
              count(admin, "SELECT count(*) FROM pg_roles WHERE rolname = '" + OWNER
                  + "' AND rolsuper"))
          .as("the owner never became a superuser")
          .isZero();
      assertThat(strings(admin, "SELECT DISTINCT who FROM probe.calls")).containsOnly(OWNER);
      assertThat(count(admin, "SELECT count(*) FROM probe.calls")).isPositive();
    }
  }

  private static boolean scheduledSince(Instant since, String name) throws SQLException {
    try (Connection admin = db.connectAdmin()) {
      return count(
              admin,
              "SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN"
                  + " pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = '" + name
                  + "' AND h.initiated_by = 'SCHEDULER' AND h.status = 'COMPLETED'"
                  + " AND h.action <> 'NO_DATA' AND h.start_time >= '" + since + "'")
          > 0;
    }
  }

  private static String currentUser(Connection c) throws SQLException {
    return strings(c, "SELECT current_user").get(0);
  }

}
