package dev.trickle.service;

import static dev.trickle.service.SqlStates.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.StreamTableChecks;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who IMMEDIATE maintenance runs as. Roles: the owner (the app role, which creates the stream
 * table), a writer granted INSERT/UPDATE/DELETE (and SELECT) on the source only, a role with no
 * grants, and the superuser. Any role allowed to write the source can, and maintenance runs with
 * the owner's rights: the defining query's function sees the owner as {@code current_user}
 * whoever writes, the writer's {@code search_path}, functions and temporary tables are never used,
 * and the writer gets nothing of the owner's rights (it cannot read or write the stream table or
 * its state, call the maintenance function, or attach it to a table of its own).
 */
class ImmediateRightsTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String WRITER = "trickle_imm_writer";
  private static final String NOBODY = "trickle_imm_nobody";
  private static final String PASSWORD = "imm-secret";
  private static final String QUERY =
      "SELECT s.id, s.v, double_it(s.v) AS doubled, d.label, who() AS maintained_by"
          + " FROM src s JOIN dim d ON d.id = s.grp";
  private static final String GROUPS =
      "SELECT d.label, count(*) AS n, sum(s.v) AS total FROM src s LEFT JOIN dim d ON d.id = s.grp"
          + " GROUP BY d.label";

  private static Connection owner;
  private static Statement os;

  @BeforeAll
  static void rolesAndStreamTables() throws SQLException {
    try (Connection admin = db.connectAdmin();
        Statement a = admin.createStatement()) {
      for (String role : new String[] {WRITER, NOBODY}) {
        a.execute("DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + role
            + "') THEN CREATE ROLE " + role + " LOGIN PASSWORD '" + PASSWORD + "'; END IF; END$$");
        a.execute("GRANT CONNECT ON DATABASE " + db.name() + " TO " + role);
      }
      // The writer may create a schema of its own, to try to shadow the owner's names.
      a.execute("GRANT CREATE, TEMPORARY ON DATABASE " + db.name() + " TO " + WRITER);
    }
    owner = db.connectWithoutScheduler();
    os = owner.createStatement();
    os.execute("CREATE EXTENSION pg_trickle");
    os.execute("CREATE TABLE dim (id int PRIMARY KEY, label text)");
    os.execute("CREATE TABLE src (id int PRIMARY KEY, grp int, v int)");
    os.execute("INSERT INTO dim VALUES (1, 'one'), (2, 'two'), (3, NULL)");
    os.execute("INSERT INTO src VALUES (1, 1, 10), (2, 2, 20)");
    os.execute("CREATE FUNCTION double_it(int) RETURNS int IMMUTABLE LANGUAGE sql AS 'SELECT $1 * 2'");
    os.execute("CREATE FUNCTION who() RETURNS text STABLE LANGUAGE sql AS 'SELECT current_user::text'");
    os.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON src TO " + WRITER);
    os.execute("SELECT pgtrickle.create_stream_table('by_owner', $$" + QUERY
        + "$$, refresh_mode => 'IMMEDIATE')");
    os.execute("SELECT pgtrickle.create_stream_table('groups', $$" + GROUPS
        + "$$, refresh_mode => 'IMMEDIATE')");
  }

  @AfterAll
  static void close() throws SQLException {
    owner.close();
  }

  @Test
  void writerWithGrantsOnTheSourceOnlyWritesAndMaintenanceRunsAsTheOwner() throws SQLException {
    try (Connection w = as(WRITER);
        Statement ws = w.createStatement()) {
      ws.execute("INSERT INTO src VALUES (10, 1, 5), (11, 3, NULL), (12, 9, 1)");
      ws.execute("UPDATE src SET v = v + 1, grp = 2 WHERE id = 10");
      ws.execute("DELETE FROM src WHERE id = 11");
      assertThat(text(ws, "SELECT current_user")).isEqualTo(WRITER);
    }
    assertCurrent();
    assertThat(StreamTableChecks.value(os,
        "SELECT count(*) FROM by_owner WHERE maintained_by <> '" + PostgresFixture.APP_ROLE + "'"))
        .as("rows maintained as someone else than the owner")
        .isZero();
  }

  @Test
  void superuserWriteMaintainsAsTheOwner() throws SQLException {
    try (Connection admin = db.connectAdmin();
        Statement a = admin.createStatement()) {
      a.execute("INSERT INTO src VALUES (20, 1, 7), (21, 2, 8)");
      a.execute("UPDATE src SET v = 0 WHERE id = 21");
    }
    assertCurrent();
    assertThat(text(os, "SELECT maintained_by FROM by_owner WHERE id = 20"))
        .isEqualTo(PostgresFixture.APP_ROLE);
  }

  /**
   * The writer's search_path puts its own schema first, with a function of the query's name and
   * signature and a temporary table shadowing the dimension: maintenance uses the owner's.
   */
  @Test
  void writersSearchPathFunctionsAndTemporaryTablesAreNeverUsed() throws SQLException {
    try (Connection w = as(WRITER);
        Statement ws = w.createStatement()) {
      ws.execute("CREATE SCHEMA IF NOT EXISTS evil");
      ws.execute("CREATE OR REPLACE FUNCTION evil.double_it(int) RETURNS int IMMUTABLE"
          + " LANGUAGE sql AS 'SELECT -1'");
      ws.execute("CREATE OR REPLACE FUNCTION evil.who() RETURNS text STABLE LANGUAGE sql"
          + " AS 'SELECT ''writer code''::text'");
      ws.execute("CREATE TEMP TABLE dim (id int, label text)");
      ws.execute("INSERT INTO dim VALUES (1, 'fake'), (2, 'fake')");
      ws.execute("SET search_path = evil, public");
      ws.execute("INSERT INTO src VALUES (30, 1, 3), (31, 2, 4)");
      ws.execute("UPDATE src SET v = 9 WHERE id = 30");
    }
    assertCurrent();
    assertThat(StreamTableChecks.value(os,
        "SELECT count(*) FROM by_owner WHERE doubled = -1 OR label = 'fake'"
            + " OR maintained_by = 'writer code'"))
        .isZero();
  }

  @Test
  void writerGetsNothingOfTheOwnersRights() throws SQLException {
    String function =
        text(os, "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.proname LIKE '__pgt_imm_%'"
            + " ORDER BY p.oid LIMIT 1");
    assertThat(text(os, "SELECT p.prosecdef::text || ' ' || pg_get_userbyid(p.proowner)"
        + " FROM pg_proc p WHERE p.oid = '" + function + "'::regprocedure"))
        .isEqualTo("true " + PostgresFixture.APP_ROLE);
    try (Connection w = as(WRITER);
        Statement ws = w.createStatement()) {
      w.setAutoCommit(false);
      ws.execute("INSERT INTO src VALUES (40, 1, 1)");
      ws.execute("SAVEPOINT s");
      assertFails(() -> ws.execute("SELECT count(*) FROM by_owner"), "42501", "by_owner");
      ws.execute("ROLLBACK TO SAVEPOINT s");
      assertFails(() -> ws.execute("DELETE FROM groups"), "42501", "groups");
      ws.execute("ROLLBACK TO SAVEPOINT s");
      assertFails(() -> ws.execute("SELECT " + function), "42501", "pgtrickle");
      ws.execute("ROLLBACK TO SAVEPOINT s");
      w.commit();
      w.setAutoCommit(true);
      ws.execute("CREATE SCHEMA IF NOT EXISTS evil");
      ws.execute("CREATE TABLE IF NOT EXISTS evil.mine (id int PRIMARY KEY, grp int, v int)");
      assertFails(
          () -> ws.execute("CREATE TRIGGER hijack AFTER INSERT ON evil.mine REFERENCING NEW TABLE"
              + " AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION " + function),
          "42501",
          "permission denied");
    }
    assertCurrent();
  }

  @Test
  void roleWithoutGrantsCanWriteNeitherSourceNorStreamTable() throws SQLException {
    try (Connection n = as(NOBODY);
        Statement ns = n.createStatement()) {
      assertFails(() -> ns.execute("INSERT INTO src VALUES (50, 1, 1)"), "42501", "src");
      assertFails(() -> ns.execute("INSERT INTO by_owner VALUES (50, 1, 2, 'x', 'y')"), "42501",
          "by_owner");
      assertFails(() -> ns.execute("DELETE FROM groups"), "42501", "groups");
    }
    assertCurrent();
  }

  private static void assertCurrent() throws SQLException {
    assertThat(StreamTableChecks.difference(os, "by_owner", QUERY)).as("by_owner").isZero();
    assertThat(StreamTableChecks.difference(os, "groups", GROUPS)).as("groups").isZero();
  }

  private static Connection as(String role) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", role);
    p.setProperty("password", PASSWORD);
    return DriverManager.getConnection(db.plainUrl(), p);
  }

  private static String text(Statement s, String query) throws SQLException {
    try (var rs = s.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
