package dev.trickle.compile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.immediate.ImmediateTriggerProgram;
import dev.trickle.ivm.DeltaCompiler;
import dev.trickle.ivm.MaintenancePlan;
import dev.trickle.ivm.StorageNames;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * IMMEDIATE trigger programs: after every single write statement (and inside its transaction) the
 * table equals its defining query as a multiset.
 */
class ImmediateOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static Connection c;
  private static CompilerHarness harness;
  private static int counter;

  @BeforeAll
  static void tables() throws Exception {
    c = db.connectPlain();
    harness = new CompilerHarness(c);
    harness.exec("CREATE TABLE dept (id int PRIMARY KEY, name text)");
    harness.exec("CREATE TABLE emp (id int PRIMARY KEY, dept_id int, salary int)");
  }

  @AfterAll
  static void close() throws Exception {
    c.close();
  }

  static Stream<String> queries() {
    return Stream.of(
        "SELECT dept_id, count(*) AS headcount FROM emp GROUP BY dept_id",
        "SELECT e.id, d.name FROM emp e JOIN dept d ON d.id = e.dept_id",
        "SELECT d.id, count(e.id) AS n, COALESCE(sum(e.salary), 0) AS total, max(e.salary) AS top"
            + " FROM dept d LEFT JOIN emp e ON e.dept_id = d.id GROUP BY d.id");
  }

  @ParameterizedTest
  @MethodSource("queries")
  void isCurrentAfterEveryStatement(String query) throws Exception {
    String name = "live_" + (++counter);
    harness.exec("CREATE TABLE " + name + " AS " + query + " WITH NO DATA");
    List<String> columns = columns(name);
    MaintenancePlan plan =
        new DeltaCompiler(new JdbcCatalogLookup(c), s -> {})
            .compile(query, new StorageNames("public", name, columns, "public", name + "_state", name));
    harness.run(plan.setup());
    harness.exec("INSERT INTO " + name + " " + query);
    harness.run(plan.populate());
    ImmediateTriggerProgram program = new ImmediateTriggerProgram(plan, "public", name, columns, query);
    for (long oid : plan.sourceOids()) {
      String source = harness.scalar("SELECT " + oid + "::oid::regclass::text");
      for (String sql :
          program.install("public", name + "_on_" + oid, oid, source, name + "_" + oid)) {
        harness.exec(sql);
      }
    }
    long seed = query.hashCode();
    Random r = new Random(seed);
    for (int i = 1; i <= 40; i++) {
      int id = r.nextInt(15);
      switch (r.nextInt(6)) {
        case 0 -> harness.exec("INSERT INTO dept VALUES (" + id + ", 'd" + r.nextInt(3) + "') ON CONFLICT DO NOTHING");
        case 1 -> harness.exec("DELETE FROM dept WHERE id = " + id);
        case 2, 3 -> harness.exec("INSERT INTO emp VALUES (" + id + ", " + r.nextInt(6) + ", " + r.nextInt(100) + ") ON CONFLICT DO NOTHING");
        case 4 -> harness.exec("UPDATE emp SET dept_id = " + r.nextInt(6) + ", salary = salary + 1 WHERE id % 3 = " + (id % 3));
        default -> harness.exec("DELETE FROM emp WHERE id = " + id);
      }
      assertThat(harness.difference(name, query)).as("seed %d, statement %d", seed, i).isZero();
    }
    harness.exec("TRUNCATE emp");
    assertThat(harness.difference(name, query)).as("after TRUNCATE").isZero();
  }

  private static List<String> columns(String table) throws Exception {
    List<String> columns = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT attname FROM pg_attribute WHERE attrelid = '" + table
                    + "'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
      while (rs.next()) {
        columns.add(rs.getString(1));
      }
    }
    return columns;
  }
}
