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
 * Named cases of the scoped strategies: ties in RANK, rows moving between partitions, rows
 * entering and leaving a top-n, and a change that cannot reach the top-n doing nothing.
 */
class ScopedStrategiesTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static CompilerHarness harness;

  @BeforeAll
  static void open() throws Exception {
    harness = CompilerHarness.open(db);
    harness.exec("CREATE TABLE score (id int PRIMARY KEY, team text, points int)");
  }

  @AfterAll
  static void close() throws Exception {
    harness.close();
  }

  @BeforeEach
  void data() throws Exception {
    harness.exec("DELETE FROM score");
    harness.exec("INSERT INTO score SELECT g, CASE WHEN g % 2 = 0 THEN 'red' ELSE 'blue' END, g * 10"
        + " FROM generate_series(1, 20) g");
  }

  private static String next() {
    return harness.nextName("s_");
  }

  @Test
  void aTieInRankRenumbersOnlyItsPartition() throws Exception {
    String name = next();
    String query = "SELECT id, team, rank() OVER (PARTITION BY team ORDER BY points DESC) AS r FROM score";
    MaintenancePlan plan = harness.create(name, query);
    harness.exec("UPDATE score SET points = 200 WHERE id = 18");
    assertThat(harness.peekDelta(plan, name))
        .as("id 18 ties with id 20 for first place; only red rows change")
        .allMatch(row -> row.contains("|red|"))
        .contains("18|red|1|1", "18|red|2|-1");
    harness.refresh(plan);
    assertThat(harness.difference(name, query)).isZero();
  }

  @Test
  void aRowMovingBetweenPartitionsTouchesBoth() throws Exception {
    String name = next();
    String query = "SELECT id, team, row_number() OVER (PARTITION BY team ORDER BY points) AS rn FROM score";
    MaintenancePlan plan = harness.create(name, query);
    harness.exec("UPDATE score SET team = 'red' WHERE id = 1");
    assertThat(harness.peekDelta(plan, name))
        .anyMatch(row -> row.contains("|blue|"))
        .anyMatch(row -> row.contains("|red|"))
        .contains("1|blue|1|-1", "1|red|1|1");
    harness.refresh(plan);
    assertThat(harness.difference(name, query)).isZero();
  }

  @Test
  void rowsEnterAndLeaveTheTopN() throws Exception {
    String name = next();
    String query = "SELECT id, points FROM score ORDER BY points DESC, id LIMIT 3";
    MaintenancePlan plan = harness.create(name, query);
    harness.exec("UPDATE score SET points = 1000 WHERE id = 5");
    assertThat(harness.peekDelta(plan, name)).containsExactlyInAnyOrder("5|1000|1", "18|180|-1");
    harness.refresh(plan);
    harness.exec("DELETE FROM score WHERE id = 5");
    assertThat(harness.peekDelta(plan, name)).containsExactlyInAnyOrder("5|1000|-1", "18|180|1");
    harness.refresh(plan);
    assertThat(harness.difference(name, query)).isZero();
  }

  @Test
  void aChangeBelowTheTopNDoesNothingButTheCheck() throws Exception {
    String name = next();
    MaintenancePlan plan = harness.create(name, "SELECT id, points FROM score ORDER BY points DESC, id LIMIT 3");
    harness.exec("UPDATE score SET points = points + 1 WHERE id = 2");
    harness.exec("INSERT INTO score VALUES (99, 'red', 5)");
    assertThat(harness.peekDelta(plan, name)).isEmpty();
  }

  @Test
  void theStorageHoldsTheTopWhenTheTopIsTheWholeQuery() throws Exception {
    String whole = next();
    String topQuery = "SELECT id, points FROM score ORDER BY points DESC, id LIMIT 3";
    MaintenancePlan plan = harness.create(whole, topQuery);
    assertThat(plan.explain()).anyMatch(line -> line.startsWith("top is the storage table"));
    assertThat(plan.setup()).noneMatch(step -> step.sql() != null && step.sql().contains("CREATE TABLE"));
    harness.exec("UPDATE score SET points = 1000 WHERE id = 5");
    harness.exec("DELETE FROM score WHERE id = 20");
    harness.refresh(plan);
    assertThat(harness.difference(whole, topQuery)).isZero();

  }
}
