package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.testing.DatabaseSnapshot;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every stream-table command inside a transaction the application opened, with SQL text ({@code
 * BEGIN}, {@code START TRANSACTION}, {@code BEGIN ISOLATION LEVEL ...}) on a connection in
 * autocommit or with autocommit off: a {@code ROLLBACK}, or a {@code ROLLBACK TO SAVEPOINT} of a
 * savepoint set before it, leaves catalog rows, storage, capture triggers, change buffers and
 * history exactly as before; a {@code COMMIT} keeps it, also after the same command was rolled
 * back; in a failed transaction the command answers 25P02 and changes nothing.
 */
class SqlTransactionTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String BASE_QUERY =
      "SELECT grp, sum(v) AS s, count(*) AS n FROM app.src GROUP BY grp";
  private static final String BASE_MATCHES =
      "SELECT NOT EXISTS ((" + BASE_QUERY + ") EXCEPT ALL SELECT * FROM app.base)"
          + " AND NOT EXISTS (SELECT * FROM app.base EXCEPT ALL (" + BASE_QUERY + "))";

  private Connection c;
  private Connection observer;

  /**
   * A command with the state it starts from.
   *
   * @param name what the case shows
   * @param installed whether the catalog and the stream table {@code app.base} exist before
   * @param setup statements run (in autocommit) before it
   * @param command the command as the application sends it
   * @param committed a query that is true once the command committed
   */
  record Case(
      String name, boolean installed, List<String> setup, String command, String committed) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** How the application opens its transaction. */
  enum Opening {
    BEGIN("BEGIN"),
    START_TRANSACTION("START TRANSACTION"),
    BEGIN_READ_COMMITTED("BEGIN ISOLATION LEVEL READ COMMITTED"),
    AUTOCOMMIT_OFF(null);

    final String sql;

    Opening(String sql) {
      this.sql = sql;
    }
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    cases.add(
        new Case(
            "create_stream_table over a source not yet captured",
            true,
            List.of(),
            "SELECT pgtrickle.create_stream_table('app.fresh',"
                + " $$SELECT id, w FROM app.other WHERE w > 5$$)",
            "SELECT count(*) = 2 FROM app.fresh"));
    cases.add(
        new Case(
            "CREATE STREAM TABLE",
            true,
            List.of(),
            "CREATE STREAM TABLE app.fresh AS SELECT s.id, s.v, o.w FROM app.src s"
                + " JOIN app.other o ON o.id = s.id",
            "SELECT count(*) = 2 FROM app.fresh"));
    cases.add(
        new Case(
            "create_or_replace_stream_table with a new query",
            true,
            List.of(),
            "SELECT pgtrickle.create_or_replace_stream_table('app.base', $$SELECT grp, sum(v) AS s,"
                + " count(*) AS n, max(v) AS m FROM app.src GROUP BY grp$$)",
            "SELECT count(*) = 3 FROM app.base WHERE m IS NOT NULL"));
    cases.add(
        new Case(
            "CREATE OR REPLACE STREAM TABLE with new settings",
            true,
            List.of(),
            "CREATE OR REPLACE STREAM TABLE app.base WITH (schedule = '2m') AS " + BASE_QUERY,
            catalog("schedule = '2m'")));
    for (String[] option :
        new String[][] {
          {"schedule => '5m'", "schedule = '5m'"},
          {"refresh_mode => 'FULL'", "effective_mode = 'FULL'"},
          {"refresh_mode => 'IMMEDIATE'", "effective_mode = 'IMMEDIATE'"},
          {"status => 'SUSPENDED'", "status = 'SUSPENDED'"},
          {"diamond_consistency => 'none'", "diamond_consistency = 'none'"},
          {"diamond_schedule_policy => 'slowest'", "diamond_schedule_policy = 'slowest'"},
          {"cdc_mode => 'auto'", "cdc_mode = 'auto'"},
          {
            "query => $$SELECT grp, sum(v) AS s, count(*) AS n, min(v) AS lo FROM app.src"
                + " GROUP BY grp$$",
            "defining_query LIKE '%min(v)%'"
          }
        }) {
      cases.add(
          new Case(
              "alter_stream_table " + option[0],
              true,
              List.of(),
              "SELECT pgtrickle.alter_stream_table('app.base', " + option[0] + ")",
              catalog(option[1])));
    }
    cases.add(
        new Case(
            "alter_stream_table refresh_mode => 'DIFFERENTIAL' from FULL",
            true,
            List.of("SELECT pgtrickle.alter_stream_table('app.base', refresh_mode => 'FULL')"),
            "SELECT pgtrickle.alter_stream_table('app.base', refresh_mode => 'DIFFERENTIAL')",
            catalog("effective_mode = 'DIFFERENTIAL'")));
    cases.add(
        new Case(
            "alter_stream_table refresh_mode => 'FULL' from IMMEDIATE",
            true,
            List.of("SELECT pgtrickle.alter_stream_table('app.base', refresh_mode => 'IMMEDIATE')"),
            "SELECT pgtrickle.alter_stream_table('app.base', refresh_mode => 'FULL')",
            catalog("effective_mode = 'FULL'")));
    cases.add(
        new Case(
            "ALTER STREAM TABLE SET",
            true,
            List.of(),
            "ALTER STREAM TABLE app.base SET (schedule = '10m', refresh_mode = 'FULL')",
            catalog("schedule = '10m' AND effective_mode = 'FULL'")));
    cases.add(
        new Case(
            "drop_stream_table",
            true,
            List.of(),
            "SELECT pgtrickle.drop_stream_table('app.base')",
            "SELECT to_regclass('app.base') IS NULL"));
    cases.add(
        new Case(
            "DROP STREAM TABLE",
            true,
            List.of(),
            "DROP STREAM TABLE app.base",
            "SELECT to_regclass('app.base') IS NULL"));
    List<String> changes =
        List.of(
            "INSERT INTO app.src VALUES (100, 1, 100), (101, NULL, 7)",
            "UPDATE app.src SET v = NULL WHERE id = 3",
            "DELETE FROM app.src WHERE id = 2");
    cases.add(
        new Case(
            "refresh_stream_table",
            true,
            changes,
            "SELECT pgtrickle.refresh_stream_table('app.base')",
            BASE_MATCHES));
    cases.add(
        new Case("REFRESH STREAM TABLE", true, changes, "REFRESH STREAM TABLE app.base",
            BASE_MATCHES));
    cases.add(
        new Case(
            "resume_stream_table",
            true,
            List.of("SELECT pgtrickle.alter_stream_table('app.base', status => 'SUSPENDED')"),
            "SELECT pgtrickle.resume_stream_table('app.base')",
            catalog("status = 'ACTIVE'")));
    cases.add(
        new Case(
            "CREATE EXTENSION pg_trickle",
            false,
            List.of(),
            "CREATE EXTENSION pg_trickle",
            "SELECT to_regclass('pgtrickle.pgt_stream_tables') IS NOT NULL"));
    cases.add(
        new Case(
            "DROP EXTENSION pg_trickle CASCADE",
            true,
            List.of(),
            "DROP EXTENSION pg_trickle CASCADE",
            "SELECT to_regnamespace('pgtrickle') IS NULL AND to_regclass('app.base') IS NULL"));
    return cases;
  }

  static Stream<Arguments> casesAndOpenings() {
    return cases().stream()
        .flatMap(k -> Stream.of(Opening.values()).map(o -> Arguments.of(k, o)));
  }

  private static String catalog(String condition) {
    return "SELECT " + condition + " FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'base'";
  }

  @BeforeEach
  void connect() throws SQLException {
    c = db.connectWithoutScheduler();
    observer = db.connectPlain();
  }

  @AfterEach
  void close() throws SQLException {
    c.close();
    observer.close();
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("casesAndOpenings")
  void rolledBackCommandsLeaveNothingAndCommittedOnesStay(Case k, Opening opening)
      throws SQLException {
    setUp(k);
    List<String> before = snapshot();

    open(opening);
    sql(k.command);
    assertThat(c.getAutoCommit()).isEqualTo(opening != Opening.AUTOCOMMIT_OFF);
    end(opening, "ROLLBACK");
    assertThat(snapshot()).as("after ROLLBACK").isEqualTo(before);

    open(opening);
    sql("SAVEPOINT before_command");
    sql(k.command);
    sql("ROLLBACK TO SAVEPOINT before_command", "SELECT 1");
    end(opening, "COMMIT");
    assertThat(snapshot()).as("after ROLLBACK TO SAVEPOINT and COMMIT").isEqualTo(before);

    open(opening);
    sql(k.command);
    end(opening, "COMMIT");
    assertThat(isTrue(observer, k.committed)).as(k.committed).isTrue();
  }

  static Stream<Arguments> casesInFailedTransactions() {
    return cases().stream()
        .flatMap(k -> Stream.of(Opening.BEGIN, Opening.AUTOCOMMIT_OFF).map(o -> Arguments.of(k, o)));
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("casesInFailedTransactions")
  void aCommandInAFailedTransactionAnswers25P02AndChangesNothing(Case k, Opening opening)
      throws SQLException {
    setUp(k);
    List<String> before = snapshot();

    open(opening);
    assertThatThrownBy(() -> sql("SELECT 1 / 0")).isInstanceOf(SQLException.class);
    assertThatThrownBy(() -> sql(k.command))
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
    end(opening, "ROLLBACK");
    assertThat(snapshot()).isEqualTo(before);
    sql("SELECT 1");
  }

  private void setUp(Case k) throws SQLException {
    sql(
        "DROP EXTENSION IF EXISTS pg_trickle CASCADE",
        "DROP SCHEMA IF EXISTS app CASCADE",
        "CREATE SCHEMA app",
        "CREATE TABLE app.src (id int PRIMARY KEY, grp int, v int)",
        "INSERT INTO app.src SELECT g, g % 3, g FROM generate_series(1, 20) AS g",
        "CREATE TABLE app.other (id int PRIMARY KEY, w int)",
        "INSERT INTO app.other VALUES (1, 10), (2, 20)");
    if (k.installed) {
      sql(
          "CREATE EXTENSION pg_trickle",
          "SELECT pgtrickle.create_stream_table('app.base', $$" + BASE_QUERY + "$$)");
    }
    sql(k.setup.toArray(String[]::new));
    c.clearWarnings();
  }

  private void open(Opening opening) throws SQLException {
    if (opening == Opening.AUTOCOMMIT_OFF) {
      c.setAutoCommit(false);
    } else {
      sql(opening.sql);
    }
  }

  private void end(Opening opening, String how) throws SQLException {
    if (opening != Opening.AUTOCOMMIT_OFF) {
      sql(how);
      return;
    }
    if (how.equals("COMMIT")) {
      c.commit();
    } else {
      c.rollback();
    }
    c.setAutoCommit(true);
  }

  private List<String> snapshot() throws SQLException {
    return DatabaseSnapshot.of(observer, "app");
  }

  private void sql(String... statements) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String statement : statements) {
        st.execute(statement);
      }
    }
  }

  private static boolean isTrue(Connection on, String query) throws SQLException {
    try (Statement st = on.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      return rs.next() && rs.getBoolean(1);
    }
  }
}
