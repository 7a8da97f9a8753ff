package dev.trickle.service;

import static dev.trickle.service.OwnerRoles.assertOwnRole;
import static dev.trickle.service.OwnerRoles.count;
import static dev.trickle.service.OwnerRoles.execute;
import static dev.trickle.service.OwnerRoles.strings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.scheduler.SchedulerTarget;
import dev.trickle.scheduler.Schedulers;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Code in a defining query cannot leave the owner's role: {@code escape()}, a VOLATILE function
 * the owner wrote, switches role the way the table {@code probe.how} says ({@code RESET ROLE},
 * {@code SET ROLE} to the session's user, {@code set_config('role', ...)}, {@code SET SESSION
 * AUTHORIZATION}), then logs who it runs as and, when that is a superuser, makes the owner one
 * ({@code ALTER ROLE ... SUPERUSER}). Whoever refreshes (a superuser manually, in autocommit and in
 * its own transaction; a superuser's scheduler; a member of the owner's role), FULL or DIFFERENTIAL,
 * at the initial population and at {@code create_or_replace}: the switch is refused (42501), the
 * refresh fails with that error and leaves the stream table as it was, and the owner never becomes
 * a superuser. {@code tolerant()} catches the refusal and goes on: then the refresh succeeds and
 * every logged call ran as the owner.
 */
class RoleEscapeTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final OwnerRoles ROLES = new OwnerRoles(db, "trickle_escaper");
  private static final String OWNER = ROLES.owner();
  private static final String MEMBER = ROLES.member();
  private static final List<String> SWITCHES =
      List.of(
          "RESET ROLE",
          "EXECUTE format('SET ROLE %I', session_user)",
          "PERFORM set_config('role', session_user, true)",
          "EXECUTE format('SET SESSION AUTHORIZATION %I', session_user)");

  @BeforeAll
  static void createOwner() throws SQLException {
    ROLES.create();
    try (Connection c = ROLES.asOwner()) {
      execute(
          c,
          "SET search_path = probe",
          "CREATE EXTENSION pg_trickle",
          "CREATE TABLE src (id int PRIMARY KEY, v int)",
          "INSERT INTO src SELECT g, g FROM generate_series(1, 5) g",
          "CREATE TABLE how (switch text)",
          "INSERT INTO how VALUES ('RESET ROLE')",
          "CREATE TABLE calls (who text NOT NULL, super boolean NOT NULL)",
          "GRANT ALL ON how, calls TO PUBLIC",
          "CREATE FUNCTION escape(x int) RETURNS int LANGUAGE plpgsql VOLATILE AS $$"
              + " DECLARE s text := (SELECT switch FROM probe.how);"
              + " BEGIN EXECUTE 'DO $d$ BEGIN ' || s || '; END $d$';"
              + " INSERT INTO probe.calls SELECT current_user, rolsuper FROM pg_roles"
              + " WHERE rolname = current_user;"
              + " IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN"
              + " EXECUTE format('ALTER ROLE %I SUPERUSER', '" + OWNER + "'); END IF;"
              + " RETURN x; END $$",
          "CREATE FUNCTION tolerant(x int) RETURNS int LANGUAGE plpgsql VOLATILE AS $$"
              + " BEGIN BEGIN RETURN probe.escape(x);"
              + " EXCEPTION WHEN insufficient_privilege THEN"
              + " INSERT INTO probe.calls SELECT current_user, rolsuper FROM pg_roles"
              + " WHERE rolname = current_user; RETURN x; END; END $$",
          // Declared STABLE so that a DIFFERENTIAL query may call them.
          "CREATE FUNCTION escape_stable(x int) RETURNS int LANGUAGE plpgsql STABLE AS $$"
              + " BEGIN RETURN probe.escape(x); END $$",
          "CREATE FUNCTION tolerant_stable(x int) RETURNS int LANGUAGE plpgsql STABLE AS $$"
              + " BEGIN RETURN probe.tolerant(x); END $$",
          // Created harmless; the test arms it by making escape() switch.
          "UPDATE how SET switch = 'NULL'",
          "SELECT pgtrickle.create_stream_table('probe.full_st',"
              + " 'SELECT id, probe.escape(v) AS v FROM probe.src', 'calculated', 'FULL')",
          "SELECT pgtrickle.create_stream_table('probe.diff_st',"
              + " 'SELECT id, probe.escape_stable(v) AS v FROM probe.src', 'calculated',"
              + " 'DIFFERENTIAL')",
          "SELECT pgtrickle.create_stream_table('probe.tolerant_st',"
              + " 'SELECT id, probe.tolerant_stable(v) AS v FROM probe.src', 'calculated',"
              + " 'DIFFERENTIAL')");
    }
  }

  @AfterAll
  static void dropOwner() throws SQLException {
    ROLES.drop();
  }

  @BeforeEach
  void clearCalls() throws SQLException {
    try (Connection c = ROLES.asOwner()) {
      execute(c, "DELETE FROM probe.calls");
    }
  }

  @Test
  void aSuperusersManualRefreshCannotBeLeftByAnySwitch() throws Exception {
    for (String how : SWITCHES) {
      arm(how);
      for (String st : List.of("full_st", "diff_st")) {
        change();
        List<String> before = contents(st);
        try (Connection su = ROLES.asSuperuser(false)) {
          resume(st);
          SqlStates.assertFails(
              () -> execute(su, "SELECT pgtrickle.refresh_stream_table('probe." + st + "')"),
              "42501",
              "within security-definer function");
          assertOwnRole(su);
          resume(st);
          su.setAutoCommit(false);
          SqlStates.assertFails(
              () -> execute(su, "SELECT pgtrickle.refresh_stream_table('probe." + st + "')"),
              "42501",
              "within security-definer function");
          su.rollback();
          assertOwnRole(su);
        }
        assertThat(contents(st)).as(how + ": " + st + " is as it was").isEqualTo(before);
      }
    }
    assertNeverEscaped();
    assertThat(calls()).as("no call got past the switch").isEmpty();
  }

  @Test
  void aRefreshThatCatchesTheRefusalRunsAsTheOwnerWhoeverRefreshes() throws Exception {
    for (String how : SWITCHES) {
      arm(how);
      change();
      try (Connection su = ROLES.asSuperuser(false)) {
        execute(su, "SELECT pgtrickle.refresh_stream_table('probe.tolerant_st')");
        assertOwnRole(su);
      }
      change();
      try (Connection member = ROLES.asMember()) {
        execute(member, "SELECT pgtrickle.refresh_stream_table('probe.tolerant_st')");
      }
    }
    assertThat(ROLES.lastAction("tolerant_st")).isEqualTo("DIFFERENTIAL");
    assertNeverEscaped();
    assertThat(calls()).as("every call ran as the owner").isNotEmpty().containsOnly(OWNER);
  }

  @Test
  void aMembersRefreshCannotBeLeft() throws Exception {
    arm("RESET ROLE");
    change();
    List<String> before = contents("full_st");
    resume("full_st");
    try (Connection member = ROLES.asMember()) {
      SqlStates.assertFails(
          () -> execute(member, "SELECT pgtrickle.refresh_stream_table('probe.full_st')"),
          "42501",
          "within security-definer function");
      assertThat(strings(member, "SELECT current_user")).containsExactly(MEMBER);
    }
    assertThat(contents("full_st")).isEqualTo(before);
    assertThat(calls()).isEmpty();
  }

  @Test
  void theInitialPopulationAndCreateOrReplaceCannotBeLeft() throws Exception {
    arm("RESET ROLE");
    try (Connection su = ROLES.asSuperuser(false)) {
      // A superuser acting as the owner creates a stream table for it.
      SqlStates.assertFails(
          () ->
              execute(
                  su,
                  "SET ROLE " + OWNER,
                  "SELECT pgtrickle.create_stream_table('probe.born_st',"
                      + " 'SELECT id, probe.escape(v) AS v FROM probe.src', 'calculated', 'FULL')"),
          "42501",
          "within security-definer function");
      execute(su, "RESET ROLE");
      assertThat(count(su, "SELECT count(*) FROM pg_class WHERE relname = 'born_st'"))
          .as("no storage table left behind").isZero();
      assertThat(count(su, "SELECT count(*) FROM pgtrickle.pgt_stream_tables"
          + " WHERE pgt_name = 'born_st'")).as("no catalog row left behind").isZero();

      List<String> before = contents("full_st");
      SqlStates.assertFails(
          () ->
              execute(
                  su,
                  "SELECT pgtrickle.create_or_replace_stream_table('probe.full_st',"
                      + " 'SELECT id, probe.escape(v) + 1 AS v FROM probe.src', 'calculated',"
                      + " 'FULL')"),
          "42501",
          "within security-definer function");
      assertOwnRole(su);
      assertThat(contents("full_st")).isEqualTo(before);
      assertThat(strings(su, "SELECT defining_query FROM pgtrickle.pgt_stream_tables"
          + " WHERE pgt_name = 'full_st'").get(0)).doesNotContain("+ 1");
    }
    assertNeverEscaped();
    assertThat(calls()).isEmpty();
  }

  @Test
  void aSuperusersSchedulerCannotBeLeft() throws Exception {
    arm("RESET ROLE");
    try (Connection owner = ROLES.asOwner()) {
      execute(owner, "SELECT pgtrickle.alter_stream_table('probe.diff_st', schedule => '1s')");
    }
    try (Connection su = ROLES.asSuperuser(true)) {
      Instant before = Instant.now();
      change();
      Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
      while (count(su, "SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN"
          + " pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = 'diff_st'"
          + " AND h.initiated_by = 'SCHEDULER' AND h.status = 'FAILED'"
          + " AND h.error_message LIKE '%security-definer%' AND h.start_time >= '"
          + before + "'") == 0) {
        assertThat(Instant.now()).as("the scheduler tried and failed").isBefore(deadline);
        Thread.sleep(100);
      }
    } finally {
      Schedulers.running(SchedulerTarget.of(db.plainUrl(), new Properties(), dev.trickle.catalog.DriverSettings.NONE).key())
          .ifPresent(s -> s.stop(Duration.ofSeconds(10)));
      try (Connection owner = ROLES.asOwner()) {
        execute(
            owner,
            "SELECT pgtrickle.alter_stream_table('probe.diff_st', schedule => 'calculated')",
            "SELECT pgtrickle.resume_stream_table('probe.diff_st')");
      }
    }
    assertNeverEscaped();
    assertThat(calls()).isEmpty();
  }

  /**
   * A superuser who switches the owner's stream table to IMMEDIATE (and back to DIFFERENTIAL)
   * leaves everything the switch creates (state tables, indexes, trigger functions) owned by the
   * stream table's owner, and maintenance works for the owner's writes.
   */
  @Test
  void aModeSwitchBySomeoneElseLeavesTheOwnersObjectsToTheOwner() throws Exception {
    // Every relation and function outside the system schemas, with its owner.
    String objects =
        "SELECT c.oid::regclass::text || ' owned by ' || pg_get_userbyid(c.relowner)"
            + " FROM pg_class c WHERE c.relnamespace NOT IN"
            + " (SELECT oid FROM pg_namespace WHERE nspname LIKE 'pg\\_%'"
            + " OR nspname = 'information_schema') UNION ALL"
            + " SELECT p.oid::regprocedure::text || ' owned by ' || pg_get_userbyid(p.proowner)"
            + " FROM pg_proc p WHERE p.pronamespace NOT IN"
            + " (SELECT oid FROM pg_namespace WHERE nspname LIKE 'pg\\_%'"
            + " OR nspname = 'information_schema')";
    try (Connection owner = ROLES.asOwner()) {
      execute(
          owner,
          "UPDATE probe.how SET switch = 'NULL'",
          "SELECT pgtrickle.create_stream_table('probe.imm_st',"
              + " 'SELECT v % 2 AS parity, count(*) AS n, sum(v) AS total FROM probe.src"
              + " GROUP BY v % 2', 'calculated', 'DIFFERENTIAL')");
    }
    try (Connection su = ROLES.asSuperuser(false)) {
      List<String> before = strings(su, objects);
      execute(su, "SELECT pgtrickle.alter_stream_table('probe.imm_st', refresh_mode => 'IMMEDIATE')");
      List<String> created = new ArrayList<>(strings(su, objects));
      created.removeAll(before);
      assertThat(created).as("the switch created maintenance objects").isNotEmpty();
      assertThat(created).as("what the switch created").allMatch(o -> o.endsWith(" by " + OWNER));
      execute(su, "SELECT pgtrickle.alter_stream_table('probe.imm_st', refresh_mode => 'DIFFERENTIAL')");
      execute(su, "SELECT pgtrickle.alter_stream_table('probe.imm_st', refresh_mode => 'IMMEDIATE')");
      List<String> again = new ArrayList<>(strings(su, objects));
      again.removeAll(before);
      assertThat(again).as("what the switches created").allMatch(o -> o.endsWith(" by " + OWNER));
    }
    try (Connection owner = ROLES.asOwner()) {
      execute(owner, "INSERT INTO probe.src VALUES (100, 7)", "DELETE FROM probe.src WHERE id = 100",
          "UPDATE probe.src SET v = v + 3 WHERE id = 2");
      assertThat(strings(owner, "SELECT count(*) FROM ((TABLE probe.imm_st EXCEPT ALL"
              + " SELECT v % 2, count(*), sum(v) FROM probe.src GROUP BY v % 2) UNION ALL"
              + " (SELECT v % 2, count(*), sum(v) FROM probe.src GROUP BY v % 2"
              + " EXCEPT ALL TABLE probe.imm_st)) AS d"))
          .containsExactly("0");
      execute(owner, "SELECT pgtrickle.drop_stream_table('probe.imm_st')");
    }
  }

  /**
   * The owner's executor is created by its first refresh and dropped with its last stream table,
   * so the role can be dropped; nobody but the owner (and superusers) may call it.
   */
  @Test
  void theExecutorComesWithTheOwnersFirstRefreshAndGoesWithItsLastStreamTable() throws Exception {
    String executors =
        "SELECT count(*) FROM pg_proc WHERE proname = 'run_as_' || '" + MEMBER
            + "'::regrole::oid AND proowner = '" + MEMBER + "'::regrole AND prosecdef"
            + " AND NOT has_function_privilege('public', oid, 'EXECUTE')";
    try (Connection member = ROLES.asMember()) {
      execute(
          member,
          "SELECT pgtrickle.create_stream_table('probe.members_st',"
              + " 'SELECT id, v FROM probe.src', 'calculated', 'DIFFERENTIAL')");
      assertThat(count(member, executors)).as("the member's executor").isEqualTo(1);
      execute(member, "SELECT pgtrickle.drop_stream_table('probe.members_st')");
      assertThat(count(member, executors)).as("gone with its last stream table").isZero();
    }
  }

  private static void arm(String how) throws SQLException {
    try (Connection c = ROLES.asOwner()) {
      execute(c, "UPDATE probe.how SET switch = '" + how.replace("'", "''") + "'");
    }
  }

  /** Failures in a row would suspend the stream table; each attempt here starts afresh. */
  private static void resume(String st) throws SQLException {
    try (Connection c = ROLES.asOwner()) {
      execute(c, "SELECT pgtrickle.resume_stream_table('probe." + st + "')");
    }
  }

  private static void change() throws SQLException {
    try (Connection c = ROLES.asOwner()) {
      execute(c, "UPDATE probe.src SET v = v + 1 WHERE id = 1");
    }
  }

  private static List<String> contents(String st) throws SQLException {
    try (Connection admin = db.connectAdmin()) {
      return strings(admin, "SELECT id || ':' || v FROM probe." + st + " ORDER BY id");
    }
  }

  private static List<String> calls() throws SQLException {
    try (Connection admin = db.connectAdmin()) {
      return strings(admin, "SELECT who FROM probe.calls");
    }
  }

  private static void assertNeverEscaped() throws SQLException {
    try (Connection admin = db.connectAdmin()) {
      assertThat(count(admin, "SELECT count(*) FROM pg_roles WHERE rolname = '" + OWNER
              + "' AND rolsuper"))
          .as("the owner never became a superuser")
          .isZero();
      assertThat(count(admin, "SELECT count(*) FROM probe.calls WHERE super"))
          .as("no call ran as a superuser")
          .isZero();
    }
  }

}
