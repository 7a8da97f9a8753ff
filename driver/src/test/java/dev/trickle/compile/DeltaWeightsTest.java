package dev.trickle.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.ivm.MaintenancePlan;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Delta tests in the style of DBSP: apply one change to a source, run the refresh, and check the
 * output delta itself — each row with its weight (+1 appears, −1 disappears) — not just the end
 * state.
 */
class DeltaWeightsTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static CompilerHarness harness;

  @BeforeAll
  static void open() throws Exception {
    harness = CompilerHarness.open(db);
    harness.exec("CREATE TABLE dept (id int PRIMARY KEY, name text)");
    harness.exec("CREATE TABLE emp (id int PRIMARY KEY, dept_id int, salary int)");
  }

  @AfterAll
  static void close() throws Exception {
    harness.close();
  }

  @BeforeEach
  void data() throws Exception {
    harness.exec("DELETE FROM emp");
    harness.exec("DELETE FROM dept");
    harness.exec("INSERT INTO dept VALUES (1, 'eng'), (2, 'ops'), (3, 'empty')");
    harness.exec("INSERT INTO emp VALUES (10, 1, 100), (11, 1, 120), (12, 2, 90)");
  }

  private static MaintenancePlan plan(String name, String query) throws Exception {
    return harness.create(name, query);
  }

  @Test
  void insertIntoJoinSideYieldsOnePositiveRow() throws Exception {
    String name = harness.nextName("w_");
    MaintenancePlan plan = plan(name, "SELECT e.id, d.name FROM emp e JOIN dept d ON d.id = e.dept_id");
    harness.exec("INSERT INTO emp VALUES (13, 2, 50)");
    assertThat(harness.peekDelta(plan, name)).containsExactly("13|ops|1");
  }

  @Test
  void renamingTheOtherSideRetractsAndReassertsEveryJoinedRow() throws Exception {
    String name = harness.nextName("w_");
    MaintenancePlan plan = plan(name, "SELECT e.id, d.name FROM emp e JOIN dept d ON d.id = e.dept_id");
    harness.exec("UPDATE dept SET name = 'r&d' WHERE id = 1");
    assertThat(harness.peekDelta(plan, name))
        .containsExactly("10|eng|-1", "10|r&d|1", "11|eng|-1", "11|r&d|1");
  }

  @Test
  void aggregateEmitsTheOldAndNewGroupRow() throws Exception {
    String name = harness.nextName("w_");
    MaintenancePlan plan =
        plan(name, "SELECT dept_id, count(*) AS n, sum(salary) AS total FROM emp GROUP BY dept_id");
    harness.exec("INSERT INTO emp VALUES (13, 1, 30)");
    assertThat(harness.peekDelta(plan, name)).containsExactly("1|2|220|-1", "1|3|250|1");
  }

  @Test
  void firstMatchReplacesTheNullPaddedOuterJoinRow() throws Exception {
    String name = harness.nextName("w_");
    MaintenancePlan plan =
        plan(name, "SELECT d.id, e.id AS eid FROM dept d LEFT JOIN emp e ON e.dept_id = d.id");
    harness.exec("INSERT INTO emp VALUES (13, 3, 10)");
    assertThat(harness.peekDelta(plan, name)).containsExactly("3|13|1", "3|null|-1");
  }

  @Test
  void insertAndDeleteOfTheSameRowNetOut() throws Exception {
    String name = harness.nextName("w_");
    MaintenancePlan plan = plan(name, "SELECT id, salary FROM emp WHERE salary > 10");
    harness.exec("INSERT INTO emp VALUES (13, 3, 10000)");
    harness.exec("DELETE FROM emp WHERE id = 13");
    harness.exec("UPDATE emp SET salary = salary + 1 WHERE id = 10");
    harness.exec("UPDATE emp SET salary = salary + 1 WHERE id = 10");
    assertThat(harness.peekDelta(plan, name)).containsExactly("10|100|-1", "10|102|1");
  }

  @Test
  void distinctOnlyChangesWhenAValueAppearsOrVanishes() throws Exception {
    String name = harness.nextName("w_");
    MaintenancePlan plan = plan(name, "SELECT DISTINCT dept_id FROM emp");
    harness.exec("INSERT INTO emp VALUES (13, 1, 5)");
    assertThat(harness.peekDelta(plan, name)).isEmpty();
    harness.exec("DELETE FROM emp WHERE dept_id = 2");
    assertThat(harness.peekDelta(plan, name)).containsExactly("2|-1");
  }
}
