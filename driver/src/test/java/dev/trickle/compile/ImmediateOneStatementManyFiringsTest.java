package dev.trickle.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.StreamTableChecks;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * IMMEDIATE stream tables that read their source several times (scalar subqueries over the outer
 * table, a self-join) stay equal to their query after statements that fire several AFTER
 * statement triggers of that source at once: an upsert that both updates and inserts, {@code
 * MERGE}, data-modifying {@code WITH} queries, a self-referencing foreign key that cascades (on a
 * table of its own: PostgreSQL 15.15 hands a MERGE's DELETE trigger an empty transition table when
 * the target has a cascading foreign key, fixed by 15.18). Each firing already sees the whole
 * statement's result, so the statement must be maintained once.
 */
class ImmediateOneStatementManyFiringsTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  /** The oracle family whose wrong result showed the defect (scalar subqueries over emp). */
  private static final String SCALAR =
      "SELECT e.id, e.salary - (SELECT avg(salary) FROM emp) AS diff FROM emp e"
          + " WHERE e.salary > (SELECT min(x.salary) + 10 FROM emp x)";

  private static final String SELF_JOIN =
      "SELECT c.id, c.salary, p.salary AS boss_salary FROM emp c JOIN emp p ON p.id = c.boss_id";

  /** Over a table whose foreign key to itself cascades. */
  private static final String CHAIN =
      "SELECT c.id, p.id AS parent, p.parent_id AS grandparent FROM node c JOIN node p ON p.id = c.parent_id";

  private static Connection c;

  @BeforeAll
  static void streamTables() throws Exception {
    c = db.connectWithoutScheduler();
    exec("CREATE EXTENSION pg_trickle");
    exec("CREATE TABLE emp (id int PRIMARY KEY, boss_id int, salary numeric(10,2))");
    exec("CREATE TABLE node (id int PRIMARY KEY, parent_id int REFERENCES node (id)"
        + " ON DELETE CASCADE ON UPDATE CASCADE)");
    exec("INSERT INTO node SELECT g, CASE WHEN g > 1 THEN g / 2 END FROM generate_series(1, 20) g");
    exec("SELECT pgtrickle.create_stream_table('chain', $q$" + CHAIN + "$q$,"
        + " refresh_mode => 'IMMEDIATE')");
  }

  @AfterAll
  static void close() throws Exception {
    c.close();
  }

  /** Fresh rows and fresh stream tables per test, so one wrong result does not carry over. */
  @BeforeEach
  void streamTablesOverFreshRows() throws Exception {
    exec("DELETE FROM emp");
    exec("INSERT INTO emp SELECT g, CASE WHEN g > 1 THEN (g - 1) / 2 + 1 END,"
        + " CASE WHEN g % 5 = 0 THEN NULL ELSE g * 7 % 90 END FROM generate_series(1, 12) g");
    exec("SELECT pgtrickle.create_stream_table('scalar', $q$" + SCALAR + "$q$,"
        + " refresh_mode => 'IMMEDIATE')");
    exec("SELECT pgtrickle.create_stream_table('self_join', $q$" + SELF_JOIN + "$q$,"
        + " refresh_mode => 'IMMEDIATE')");
    assertBothMatch("after creation");
  }

  @AfterEach
  void dropStreamTables() throws Exception {
    exec("SELECT pgtrickle.drop_stream_table('scalar')");
    exec("SELECT pgtrickle.drop_stream_table('self_join')");
  }

  @Test
  void upsertThatUpdatesAndInsertsInAutocommit() throws Exception {
    exec("INSERT INTO emp (id, boss_id, salary) SELECT g, 1, 100 + g FROM generate_series(10, 14) g"
        + " ON CONFLICT (id) DO UPDATE SET salary = excluded.salary");
    assertBothMatch("after an upsert updating 10-12 and inserting 13-14");
    assertThat(count("scalar")).isPositive();
  }

  @Test
  void upsertsInsideSqlTransactionWithSavepoint() throws Exception {
    exec("BEGIN");
    exec("INSERT INTO emp VALUES (3, 1, 5), (40, 3, 7), (40, 2, 9) ON CONFLICT DO NOTHING");
    exec("SAVEPOINT s");
    exec("INSERT INTO emp VALUES (2, 1, NULL), (41, 2, 300) ON CONFLICT (id) DO UPDATE"
        + " SET salary = excluded.salary, boss_id = excluded.boss_id");
    assertBothMatch("inside the transaction, after the upsert");
    exec("ROLLBACK TO SAVEPOINT s");
    assertBothMatch("after rolling back to the savepoint");
    exec("INSERT INTO emp VALUES (1, NULL, 1), (42, 1, 1), (43, 42, 2) ON CONFLICT (id) DO UPDATE"
        + " SET salary = excluded.salary");
    exec("COMMIT");
    assertBothMatch("after commit");
  }

  @Test
  void upsertThatOnlyUpdatesOrOnlyInserts() throws Exception {
    exec("INSERT INTO emp VALUES (4, 1, 500), (6, 1, 0) ON CONFLICT (id) DO UPDATE SET salary = excluded.salary");
    assertBothMatch("after an upsert that only updates");
    exec("INSERT INTO emp VALUES (50, 4, 3) ON CONFLICT (id) DO UPDATE SET salary = excluded.salary");
    assertBothMatch("after an upsert that only inserts");
  }

  @Test
  void mergeThatUpdatesInsertsAndDeletes() throws Exception {
    exec("MERGE INTO emp e USING (VALUES (2, 70), (7, NULL), (60, 80)) s (id, salary) ON e.id = s.id"
        + " WHEN MATCHED AND s.salary IS NULL THEN DELETE"
        + " WHEN MATCHED THEN UPDATE SET salary = s.salary"
        + " WHEN NOT MATCHED THEN INSERT VALUES (s.id, 2, s.salary)");
    assertBothMatch("after MERGE");
  }

  @Test
  void dataModifyingWithQueriesOnTheSameTable() throws Exception {
    exec("WITH gone AS (DELETE FROM emp WHERE id = 12 RETURNING id),"
        + " raised AS (UPDATE emp SET salary = salary + 40 WHERE id IN (2, 3) RETURNING id)"
        + " INSERT INTO emp VALUES (70, 2, 1), (71, 3, 250)");
    assertBothMatch("after one statement deleting, updating and inserting");
  }

  @Test
  void selfReferencingForeignKeyThatCascades() throws Exception {
    exec("UPDATE node SET id = 100 WHERE id = 2");
    assertThat(difference("chain", CHAIN)).as("after a key update cascading to the children").isZero();
    exec("DELETE FROM node WHERE id = 3");
    assertThat(difference("chain", CHAIN)).as("after a delete cascading to the descendants").isZero();
    assertThat(count("node")).isEqualTo(13);
  }

  /**
   * The firings of one statement wait in session tables, not in tables created for the statement:
   * once a session has made them, upserts, {@code MERGE} and data-modifying {@code WITH} queries
   * keep using the same temporary relations (a {@code CREATE TEMP TABLE} per statement writes the
   * system catalogs, and its dead catalog rows pile up while another session holds the xmin
   * horizon back).
   */
  @Test
  void statementsFiringSeveralTimesCreateNoTablesOnceTheSessionHasThem() throws Exception {
    String upsert = "INSERT INTO emp VALUES (5, 1, 61), (80, 5, 62) ON CONFLICT (id) DO UPDATE"
        + " SET salary = emp.salary + 1";
    String merge = "MERGE INTO emp e USING (VALUES (80, 3), (81, 4)) s (id, salary) ON e.id = s.id"
        + " WHEN MATCHED THEN UPDATE SET salary = e.salary + s.salary"
        + " WHEN NOT MATCHED THEN INSERT VALUES (s.id, 1, s.salary)";
    String with = "WITH gone AS (DELETE FROM emp WHERE id = 81 RETURNING id)"
        + " UPDATE emp SET salary = salary - 1 WHERE id = 80";
    exec(upsert);
    exec(merge);
    exec(with);
    String before = temporaryTables();
    exec("BEGIN");
    exec(upsert);
    exec(merge);
    exec(with);
    String inside = temporaryTables();
    exec("COMMIT");
    assertThat(inside).as("the session's temporary tables inside the transaction").isEqualTo(before);
    assertThat(temporaryTables()).as("the session's temporary tables after it").isEqualTo(before);
    assertBothMatch("after the statements run twice");
  }

  /**
   * Writes naming a partition whose columns lie in another order than the parent's, alone and
   * together with a write through the parent in one statement: the rows are taken by column name.
   */
  @Test
  void writesNamingAPartitionWithColumnsInAnotherOrder() throws Exception {
    String query = "SELECT part, count(*) AS n, sum(v) AS total, sum(id) AS ids FROM ev GROUP BY part";
    exec("CREATE TABLE ev (id int, part int, v int) PARTITION BY LIST (part)");
    exec("CREATE TABLE ev_a PARTITION OF ev FOR VALUES IN (1)");
    exec("CREATE TABLE ev_b (v int, id int, part int)");
    exec("CREATE UNIQUE INDEX ON ev_b (id)");
    exec("ALTER TABLE ev ATTACH PARTITION ev_b FOR VALUES IN (2)");
    exec("INSERT INTO ev VALUES (1, 1, 10), (2, 2, 20)");
    exec("SELECT pgtrickle.create_stream_table('ev_totals', $q$" + query + "$q$,"
        + " refresh_mode => 'IMMEDIATE')");
    try {
      exec("INSERT INTO ev_b VALUES (5, 3, 2)");
      assertThat(difference("ev_totals", query)).as("after an insert naming the partition").isZero();
      exec("INSERT INTO ev_b VALUES (7, 3, 2), (8, 4, 2) ON CONFLICT (id) DO UPDATE"
          + " SET v = ev_b.v + excluded.v");
      assertThat(difference("ev_totals", query)).as("after an upsert naming the partition").isZero();
      exec("WITH n AS (INSERT INTO ev VALUES (9, 2, 40), (10, 1, 50) RETURNING id)"
          + " DELETE FROM ev_b WHERE id = 4");
      assertThat(difference("ev_totals", query))
          .as("after one statement writing the parent and the partition").isZero();
      exec("UPDATE ev_b SET v = v + id");
      assertThat(difference("ev_totals", query)).as("after an update naming the partition").isZero();
    } finally {
      exec("SELECT pgtrickle.drop_stream_table('ev_totals')");
      exec("DROP TABLE ev");
    }
  }

  private static void assertBothMatch(String when) throws SQLException {
    try (Statement st = c.createStatement()) {
      assertThat(StreamTableChecks.difference(st, "scalar", SCALAR)).as("scalar %s", when).isZero();
      assertThat(StreamTableChecks.difference(st, "self_join", SELF_JOIN)).as("self_join %s", when).isZero();
    }
  }

  private static long difference(String table, String query) throws SQLException {
    try (Statement st = c.createStatement()) {
      return StreamTableChecks.difference(st, table, query);
    }
  }

  private static long count(String table) throws SQLException {
    try (Statement st = c.createStatement()) {
      return StreamTableChecks.value(st, "SELECT count(*) FROM " + table);
    }
  }

  /** The session's temporary relations, by name and oid. */
  private static String temporaryTables() throws SQLException {
    try (Statement st = c.createStatement()) {
      return StreamTableChecks.text(st, "SELECT string_agg(relname || ':' || oid, ', ' ORDER BY relname)"
          + " FROM pg_class WHERE relnamespace = pg_my_temp_schema()");
    }
  }

  private static void exec(String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
