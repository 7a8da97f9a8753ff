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
 * One SQL statement that writes two (or three) sources of one IMMEDIATE stream table that joins
 * them: a foreign key cascading from dept into emp, a data-modifying {@code WITH} writing both, a
 * trigger on one writing the other (a row trigger, inside the statement; a statement trigger that
 * fires after the maintenance's own). The stream tables (a join, an aggregate over the join, a
 * three-way join) equal their queries after each, in autocommit and inside SQL transactions with
 * savepoints rolled back.
 */
class ImmediateMultiSourceStatementTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String JOIN =
      "SELECT d.name AS dept, e.name AS emp FROM dept d JOIN emp e ON e.dept_id = d.id";
  private static final String PER_DEPT =
      "SELECT d.name, count(*) AS n, sum(e.salary) AS total FROM dept d JOIN emp e"
          + " ON e.dept_id = d.id GROUP BY d.name";
  private static final String THREE =
      "SELECT d.name, e.name AS emp, k.body FROM dept d JOIN emp e ON e.dept_id = d.id"
          + " JOIN task k ON k.emp_id = e.id";

  private static Connection c;

  @BeforeAll
  static void tables() throws Exception {
    c = db.connectWithoutScheduler();
    exec("CREATE EXTENSION pg_trickle");
    exec("CREATE TABLE dept (id int PRIMARY KEY, name text)");
    exec("CREATE TABLE emp (id int PRIMARY KEY, dept_id int REFERENCES dept ON DELETE CASCADE"
        + " ON UPDATE CASCADE, name text, salary int)");
    exec("CREATE TABLE task (emp_id int REFERENCES emp ON DELETE CASCADE, body text)");
  }

  @AfterAll
  static void close() throws Exception {
    c.close();
  }

  /** Fresh rows and stream tables per test. */
  @BeforeEach
  void rowsAndStreamTables() throws Exception {
    exec("DELETE FROM dept");
    exec("INSERT INTO dept SELECT g, 'd' || g FROM generate_series(1, 4) g");
    exec("INSERT INTO emp SELECT g, g % 4 + 1, 'e' || g, g * 10 FROM generate_series(1, 12) g");
    exec("INSERT INTO task SELECT g % 12 + 1, 't' || g FROM generate_series(1, 20) g");
    for (String[] st : streamTables()) {
      exec("SELECT pgtrickle.create_stream_table('" + st[0] + "', $q$" + st[1] + "$q$,"
          + " refresh_mode => 'IMMEDIATE')");
    }
    assertAllMatch("after creation");
  }

  @AfterEach
  void dropStreamTables() throws Exception {
    exec("DROP TRIGGER IF EXISTS follows ON dept");
    exec("DROP TRIGGER IF EXISTS zz_welcomes ON dept");
    for (String[] st : streamTables()) {
      exec("SELECT pgtrickle.drop_stream_table('" + st[0] + "')");
    }
  }

  private static String[][] streamTables() {
    return new String[][] {{"pairs", JOIN}, {"per_dept", PER_DEPT}, {"three", THREE}};
  }

  @Test
  void deleteCascadingIntoTheJoinedSource() throws Exception {
    exec("DELETE FROM dept WHERE id IN (2, 3)");
    assertAllMatch("after a delete cascading into emp and task");
    assertThat(count("pairs")).isEqualTo(6);
  }

  @Test
  void keyUpdateCascadingIntoTheJoinedSource() throws Exception {
    exec("UPDATE dept SET id = id + 10, name = name || 'x' WHERE id <= 2");
    assertAllMatch("after a key update cascading into emp");
  }

  @Test
  void cascadesInsideSqlTransactionWithSavepoints() throws Exception {
    exec("BEGIN");
    exec("DELETE FROM dept WHERE id = 1");
    assertAllMatch("inside the transaction, after the cascade");
    exec("SAVEPOINT s");
    exec("DELETE FROM dept WHERE id = 2");
    exec("UPDATE dept SET id = 30 WHERE id = 3");
    assertAllMatch("after two more cascades");
    exec("ROLLBACK TO SAVEPOINT s");
    assertAllMatch("after rolling back to the savepoint");
    exec("DELETE FROM emp WHERE id = 4");
    exec("COMMIT");
    assertAllMatch("after commit");
    exec("BEGIN");
    exec("DELETE FROM dept");
    exec("ROLLBACK");
    assertAllMatch("after a rolled back delete of everything");
    assertThat(count("pairs")).isEqualTo(9);
  }

  @Test
  void dataModifyingWithWritingBothSources() throws Exception {
    exec("WITH a AS (INSERT INTO dept VALUES (5, 'd5'), (6, 'd6') RETURNING id)"
        + " INSERT INTO emp SELECT id * 10 + g, id, 'n' || g, g FROM a, generate_series(1, 2) g");
    assertAllMatch("after a WITH inserting into dept and emp");
    assertThat(count("pairs")).isEqualTo(16);
    exec("WITH a AS (UPDATE dept SET name = 'renamed' WHERE id = 1 RETURNING id),"
        + " b AS (UPDATE emp SET name = name || '!' WHERE dept_id IN (1, 2) RETURNING id),"
        + " k AS (INSERT INTO task SELECT id, 'new' FROM b RETURNING emp_id)"
        + " DELETE FROM emp WHERE id = 3");
    assertAllMatch("after a WITH updating both sides and inserting into the third");
  }

  @Test
  void dataModifyingWithInsideSqlTransaction() throws Exception {
    exec("BEGIN");
    exec("SAVEPOINT s");
    exec("WITH a AS (DELETE FROM emp WHERE dept_id = 2 RETURNING id)"
        + " UPDATE dept SET name = 'empty' WHERE id = 2");
    assertAllMatch("inside, after a WITH deleting emps and renaming their dept");
    exec("ROLLBACK TO SAVEPOINT s");
    exec("WITH a AS (INSERT INTO dept VALUES (7, 'd7') RETURNING id)"
        + " UPDATE emp SET dept_id = 7 WHERE id IN (1, 2)");
    exec("COMMIT");
    assertAllMatch("after commit");
  }

  @Test
  void rowTriggerOnOneSourceWritingAnother() throws Exception {
    exec("CREATE OR REPLACE FUNCTION follows() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN"
        + " UPDATE emp SET name = NEW.name || '/' || id WHERE dept_id = NEW.id;"
        + " INSERT INTO emp VALUES (100 + NEW.id, NEW.id, 'hired by ' || NEW.name, 1)"
        + " ON CONFLICT (id) DO NOTHING; RETURN NEW; END $f$");
    exec("CREATE TRIGGER follows AFTER INSERT OR UPDATE ON dept FOR EACH ROW EXECUTE FUNCTION follows()");
    exec("UPDATE dept SET name = name || 'y' WHERE id IN (1, 4)");
    assertAllMatch("after an update whose row trigger writes emp");
    exec("BEGIN");
    exec("INSERT INTO dept VALUES (8, 'd8')");
    exec("SAVEPOINT s");
    exec("UPDATE dept SET name = 'z' WHERE id = 8");
    assertAllMatch("inside, after an insert and an update whose trigger writes emp");
    exec("ROLLBACK TO SAVEPOINT s");
    exec("COMMIT");
    assertAllMatch("after commit");
  }

  @Test
  void statementTriggerFiringAfterTheMaintenance() throws Exception {
    exec("CREATE OR REPLACE FUNCTION welcomes() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN"
        + " UPDATE emp SET dept_id = (SELECT max(id) FROM new_rows) WHERE id % 3 = 0;"
        + " RETURN NULL; END $f$");
    exec("CREATE TRIGGER zz_welcomes AFTER INSERT ON dept REFERENCING NEW TABLE AS new_rows"
        + " FOR EACH STATEMENT EXECUTE FUNCTION welcomes()");
    exec("INSERT INTO dept VALUES (9, 'd9'), (10, 'd10')");
    assertAllMatch("after an insert whose statement trigger moves emps to the new dept");
  }

  private static void assertAllMatch(String when) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String[] table : streamTables()) {
        assertThat(StreamTableChecks.difference(st, table[0], table[1]))
            .as("%s %s", table[0], when)
            .isZero();
      }
    }
  }

  private static long count(String table) throws SQLException {
    try (Statement st = c.createStatement()) {
      return StreamTableChecks.value(st, "SELECT count(*) FROM " + table);
    }
  }

  private static void exec(String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
