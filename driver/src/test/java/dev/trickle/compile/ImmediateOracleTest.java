package dev.trickle.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.FuzzCycles;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.StreamTableChecks;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The oracle for IMMEDIATE maintenance, through the driver as an application uses it: every query
 * family of {@link DeltaCompilerOracleTest} (scans, filters, inner and outer joins, aggregates over
 * joins, DISTINCT, set operations, semi- and anti-joins, windows, TopK, LATERAL, grouping sets)
 * and stream tables over stream tables, created with {@code refresh_mode => 'IMMEDIATE'}, equal
 * their defining query as a multiset after every transaction and inside open ones. Transactions
 * are random: one statement in autocommit, or several (multi-row, NULLs, duplicates, key and
 * group-key updates) between SQL {@code BEGIN} and {@code COMMIT} or {@code ROLLBACK}, with a
 * savepoint rolled back now and then, or through {@code setAutoCommit(false)}.
 *
 * <p>Seeded from each query's text, so a failure names its seed and cycle and reproduces. {@link
 * FuzzCycles}: {@code trickle.fuzz.cycles} sets the transactions per family (unset: 4 per family,
 * every family and chain still run, which keeps the default build's share of this test small; the
 * long run is {@code -Dtrickle.fuzz.cycles=20} or more), {@code trickle.fuzz.seed} explores other
 * sequences.
 */
class ImmediateOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  /** Transactions per family when {@code trickle.fuzz.cycles} does not set them. */
  private static final int DEFAULT_CYCLES = 4;

  private static Connection c;
  private static int counter;

  @BeforeAll
  static void tables() throws Exception {
    c = db.connectWithoutScheduler();
    exec("CREATE EXTENSION pg_trickle");
    exec("CREATE TABLE dept (id int PRIMARY KEY, name text, region text)");
    exec("CREATE TABLE emp (id int PRIMARY KEY, dept_id int, salary numeric(10,2), tag text)");
    exec("CREATE TABLE note (emp_id int REFERENCES emp (id) ON DELETE CASCADE ON UPDATE CASCADE,"
        + " body text)");
    exec("CREATE TABLE doc (id int PRIMARY KEY, tags text[], body jsonb)");
    exec("CREATE VIEW rich AS SELECT id, dept_id, salary FROM emp WHERE salary > 80");
    exec("INSERT INTO dept SELECT g, 'w' || (g % 4) || ' x', CASE WHEN g % 3 = 0 THEN NULL"
        + " WHEN g % 2 = 0 THEN 'north' ELSE 'south' END FROM generate_series(1, 12) g");
    exec("INSERT INTO emp SELECT g, NULLIF(g % 7, 6), CASE WHEN g % 9 = 0 THEN NULL ELSE g * 7 % 200"
        + " END, CASE WHEN g % 5 = 0 THEN NULL ELSE 'w' || (g % 3) || ' x' END"
        + " FROM generate_series(1, 25) g");
    exec("INSERT INTO note SELECT NULLIF(g % 11, 0), 'w' || (g % 2) FROM generate_series(1, 15) g");
    exec("INSERT INTO note SELECT emp_id, body FROM note LIMIT 3");
    // Writes to dept write emp too (and a delete from emp cascades into note): one statement then
    // changes two or three sources, inside its own statement (row triggers) and after it (a
    // statement trigger whose name sorts after the maintenance's).
    exec("CREATE FUNCTION dept_follows() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN"
        + " IF TG_OP = 'DELETE' THEN DELETE FROM emp WHERE dept_id = OLD.id AND salary < 60; RETURN OLD; END IF;"
        + " UPDATE emp SET tag = NEW.name WHERE dept_id = NEW.id AND id % 2 = 0; RETURN NEW; END $f$");
    exec("CREATE TRIGGER dept_follows AFTER UPDATE OR DELETE ON dept FOR EACH ROW"
        + " EXECUTE FUNCTION dept_follows()");
    exec("CREATE FUNCTION dept_welcomes() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN"
        + " UPDATE emp SET salary = salary + 1 WHERE dept_id IN (SELECT id FROM new_rows); RETURN NULL; END $f$");
    exec("CREATE TRIGGER zz_dept_welcomes AFTER INSERT ON dept REFERENCING NEW TABLE AS new_rows"
        + " FOR EACH STATEMENT EXECUTE FUNCTION dept_welcomes()");
  }

  @AfterAll
  static void close() throws Exception {
    c.close();
  }

  static Stream<Arguments> queries() {
    return DeltaCompilerOracleTest.queries();
  }

  /** Every DIFFERENTIAL family, maintained IMMEDIATE. */
  @ParameterizedTest
  @MethodSource("queries")
  void matchesItsQueryAfterEveryTransaction(String query) throws Exception {
    String name = "imm_" + (++counter);
    exec("SELECT pgtrickle.create_stream_table('" + name + "', $q$" + query
        + "$q$, refresh_mode => 'IMMEDIATE')");
    try {
      long seed = FuzzCycles.seed(query.hashCode() * 17L + 3);
      runCycles(seed, perFamily(), name, query, List.of());
    } finally {
      endOpenTransaction();
      exec("SELECT pgtrickle.drop_stream_table('" + name + "')");
    }
  }

  static Stream<Arguments> chains() {
    String agg = "SELECT dept_id, count(*) AS n, sum(salary) AS total FROM emp GROUP BY dept_id";
    String join = "SELECT e.id, e.dept_id, d.name, e.salary FROM emp e JOIN dept d ON d.id = e.dept_id";
    String left = "SELECT d.id, d.name, d.region FROM dept d WHERE d.id < 10";
    return Stream.of(
        // The Getting Started's department_stats shape: a stream table LEFT JOIN a table, grouped.
        Arguments.of(left, "DIFFERENTIAL",
            "SELECT t.id AS department_id, t.name, count(e.id) AS headcount,"
                + " COALESCE(sum(e.salary), 0) AS total_salary, COALESCE(avg(e.salary), 0) AS avg_salary"
                + " FROM {up} t LEFT JOIN emp e ON e.dept_id = t.id GROUP BY t.id, t.name", "IMMEDIATE"),
        Arguments.of(left, "IMMEDIATE",
            "SELECT t.id AS department_id, t.name, count(e.id) AS headcount,"
                + " COALESCE(sum(e.salary), 0) AS total_salary FROM {up} t LEFT JOIN emp e"
                + " ON e.dept_id = t.id GROUP BY t.id, t.name", "IMMEDIATE"),
        Arguments.of(agg, "IMMEDIATE", "SELECT u.dept_id, u.n, d.name FROM {up} u JOIN dept d ON d.id = u.dept_id", "IMMEDIATE"),
        Arguments.of(agg, "IMMEDIATE", "SELECT n, count(*) AS groups FROM {up} GROUP BY n", "DIFFERENTIAL"),
        Arguments.of(join, "DIFFERENTIAL", "SELECT name, count(*) AS n, max(salary) AS top FROM {up} GROUP BY name", "IMMEDIATE"),
        Arguments.of(join, "IMMEDIATE", "SELECT DISTINCT dept_id FROM {up} WHERE salary > 50", "IMMEDIATE"));
  }

  /**
   * Stream tables over stream tables: IMMEDIATE over DIFFERENTIAL (the upstream refreshed every
   * cycle, its refresh firing the downstream's triggers), IMMEDIATE over IMMEDIATE (one write
   * maintains both) and DIFFERENTIAL over IMMEDIATE.
   */
  @ParameterizedTest
  @MethodSource("chains")
  void chainsMatchTheirQueries(String upQuery, String upMode, String downTemplate, String downMode)
      throws Exception {
    String up = "up_" + (++counter);
    String down = "down_" + counter;
    String downQuery = downTemplate.replace("{up}", up);
    exec("SELECT pgtrickle.create_stream_table('" + up + "', $q$" + upQuery + "$q$, refresh_mode => '"
        + upMode + "')");
    exec("SELECT pgtrickle.create_stream_table('" + down + "', $q$" + downQuery
        + "$q$, refresh_mode => '" + downMode + "')");
    try {
      long seed = FuzzCycles.seed((upQuery + downQuery + upMode + downMode).hashCode() * 13L + 5);
      List<String> refreshes = List.of(up, down);
      runCycles(seed, perFamily(), down, downQuery, refreshes);
      assertThat(difference(up, upQuery)).as("upstream %s, seed %d", up, seed).isZero();
    } finally {
      endOpenTransaction();
      exec("SELECT pgtrickle.drop_stream_table('" + down + "')");
      exec("SELECT pgtrickle.drop_stream_table('" + up + "')");
    }
  }

  /** The transactions of one family. */
  private static int perFamily() {
    return FuzzCycles.perCase(DEFAULT_CYCLES);
  }

  /**
   * Runs {@code cycles} random transactions; after each (and inside some) the stream table must
   * equal its query. {@code refreshes} are refreshed, in order, after each transaction (deferred
   * stream tables of a chain; a refresh of an IMMEDIATE one only advances its frontier).
   */
  private static void runCycles(
      long seed, int cycles, String name, String query, List<String> refreshes) throws Exception {
    Random r = new Random(seed);
    for (int cycle = 1; cycle <= cycles; cycle++) {
      String at = "seed " + seed + ", cycle " + cycle + ", query " + query;
      int style = r.nextInt(4);
      int statements = style == 0 ? 1 : 1 + r.nextInt(5);
      boolean rollback = style != 0 && r.nextInt(6) == 0;
      if (style == 1) {
        c.setAutoCommit(false);
      } else if (style != 0) {
        exec("BEGIN");
      }
      boolean savepoint = false;
      for (int i = 0; i < statements; i++) {
        if (style != 0 && !savepoint && r.nextInt(5) == 0) {
          exec("SAVEPOINT s");
          savepoint = true;
        }
        exec(change(r));
        if (savepoint && r.nextInt(3) == 0) {
          exec("ROLLBACK TO SAVEPOINT s");
          savepoint = false;
        }
      }
      if (style != 0 && refreshes.isEmpty() && r.nextInt(3) == 0) {
        assertThat(difference(name, query)).as("inside the transaction, %s", at).isZero();
      }
      if (style == 1) {
        if (rollback) {
          c.rollback();
        } else {
          c.commit();
        }
        c.setAutoCommit(true);
      } else if (style != 0) {
        exec(rollback ? "ROLLBACK" : "COMMIT");
      }
      for (String refreshed : refreshes) {
        exec("SELECT pgtrickle.refresh_stream_table('" + refreshed + "')");
      }
      assertThat(difference(name, query)).as(at).isZero();
    }
  }

  /** One random write: multi-row, with NULLs and duplicates, key and group-key updates. */
  private static String change(Random r) {
    int id = r.nextInt(30);
    String value = r.nextInt(5) == 0 ? "NULL" : String.valueOf(r.nextInt(8));
    return switch (r.nextInt(17)) {
      case 0 -> "INSERT INTO dept VALUES (" + id + ", " + word(r) + ", " + region(r) + "), ("
          + (id + 1) + ", " + word(r) + ", " + region(r) + ") ON CONFLICT DO NOTHING";
      case 1 -> "UPDATE dept SET name = " + word(r) + ", region = " + region(r) + " WHERE id % 5 = " + (id % 5);
      case 2 -> "DELETE FROM dept WHERE id = " + id;
      case 3 -> "INSERT INTO emp VALUES (" + id + ", " + value + ", " + salary(r) + ", " + word(r)
          + "), (" + (id + 40) + ", " + value + ", " + salary(r) + ", " + word(r) + ") ON CONFLICT DO NOTHING";
      case 4 -> "INSERT INTO emp SELECT g, " + value + ", " + salary(r) + ", " + word(r)
          + " FROM generate_series(" + id + ", " + (id + 3) + ") g ON CONFLICT (id) DO UPDATE SET salary = excluded.salary";
      case 5 -> "UPDATE emp SET dept_id = " + value + ", salary = salary + " + (r.nextInt(50) - 25) + " WHERE id % 7 = " + (id % 7);
      case 6 -> "UPDATE emp SET id = id + 100 WHERE id = " + id + " AND NOT EXISTS (SELECT 1 FROM emp WHERE id = " + (id + 100) + ")";
      case 7 -> "DELETE FROM emp WHERE id = " + id + " OR id = " + (id + 100) + " OR dept_id IS NOT DISTINCT FROM " + value;
      case 8 -> "INSERT INTO doc VALUES (" + id + ", ARRAY['a', " + word(r) + ", 'b" + r.nextInt(3)
          + "'], jsonb_build_object('k" + r.nextInt(3) + "', " + r.nextInt(5) + ", 'z', " + word(r)
          + ")) ON CONFLICT (id) DO UPDATE SET tags = excluded.tags[1:" + r.nextInt(3) + "]";
      case 9 -> "DELETE FROM doc WHERE id % 5 = " + (id % 5);
      case 10 -> "DELETE FROM note WHERE ctid IN (SELECT ctid FROM note WHERE emp_id IS NOT DISTINCT FROM "
          + value + " LIMIT 2)";
      case 13 -> "WITH d AS (INSERT INTO dept VALUES (" + id + ", " + word(r) + ", " + region(r)
          + ") ON CONFLICT (id) DO UPDATE SET name = excluded.name RETURNING id) INSERT INTO emp"
          + " SELECT d.id + g, d.id, " + salary(r) + ", " + word(r) + " FROM d, generate_series(40, 41) g"
          + " ON CONFLICT (id) DO UPDATE SET dept_id = excluded.dept_id";
      case 14 -> "WITH gone AS (DELETE FROM emp WHERE dept_id IS NOT DISTINCT FROM " + value
          + " RETURNING id) UPDATE dept SET name = " + word(r) + " WHERE id = " + (id % 8);
      case 15 -> "WITH raised AS (UPDATE emp SET salary = salary + 3 WHERE dept_id = " + (id % 8)
          + " RETURNING id), d AS (DELETE FROM dept WHERE id = " + (id % 12) + " RETURNING id)"
          + " INSERT INTO note SELECT id, " + word(r) + " FROM raised";
      default -> "INSERT INTO note SELECT x, w FROM (VALUES (" + value + "::int, " + word(r) + "::text), ("
          + value + ", " + word(r) + ")) v (x, w) WHERE x IS NULL OR x IN (SELECT id FROM emp)";
    };
  }

  private static String salary(Random r) {
    return r.nextInt(6) == 0 ? "NULL" : String.valueOf(r.nextInt(200));
  }

  private static String word(Random r) {
    return r.nextInt(6) == 0 ? "NULL" : "'w" + r.nextInt(4) + " x'";
  }

  private static String region(Random r) {
    return r.nextInt(5) == 0 ? "NULL" : r.nextBoolean() ? "'north'" : "'south'";
  }

  /**
   * Rolls back what a failed cycle left open, so that its failure is reported rather than the
   * aborted transaction it leaves to the drop.
   */
  private static void endOpenTransaction() throws SQLException {
    if (!c.getAutoCommit()) {
      c.rollback();
      c.setAutoCommit(true);
    }
    try (Statement st = c.createStatement()) {
      st.execute("ROLLBACK");
    }
  }

  private static long difference(String name, String query) throws SQLException {
    try (Statement st = c.createStatement()) {
      return StreamTableChecks.difference(st, name, query);
    }
  }

  private static void exec(String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
