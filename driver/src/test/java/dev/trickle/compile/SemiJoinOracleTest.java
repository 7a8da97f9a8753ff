package dev.trickle.compile;

import dev.trickle.testing.FuzzCycles;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The oracle for semi- and anti-joins ([NOT] EXISTS, [NOT] IN, correlated with extra predicates,
 * including {@code <>}): over one table, and over derived inputs (a grouped subquery with HAVING, a
 * join, a view, a UNION, a subquery holding its own IN and a correlated scalar subquery), several
 * in one block, under aggregates; a NOT IN between columns that cannot be NULL (a plain equality).
 * NULLs on both sides, duplicate rows on both sides, a subquery
 * result (and a HAVING group) that becomes empty and fills again, and changes to the outer and the
 * inner relations in the same batch. After each batch and a differential refresh the table equals
 * its query as a multiset.
 */
class SemiJoinOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static CompilerHarness harness;

  @BeforeAll
  static void tables() throws Exception {
    harness = CompilerHarness.open(db);
    harness.exec("CREATE TABLE op (id int PRIMARY KEY, k int, v int)");
    harness.exec("CREATE TABLE ob (id int, k int, v int)");
    harness.exec("CREATE TABLE it (id int, x int, w int)");
    harness.exec("CREATE VIEW itv AS SELECT x, w FROM it WHERE w IS NOT NULL");
  }

  @AfterAll
  static void close() throws Exception {
    harness.close();
  }

  static Stream<String> queries() {
    return Stream.of(
        "SELECT id, k FROM op WHERE k NOT IN (SELECT x FROM it WHERE w > 2)",
        "SELECT id, v FROM op WHERE id NOT IN (SELECT x FROM it)",
        "SELECT id, k FROM op WHERE id IN (SELECT x FROM it WHERE w IS NOT NULL)",
        "SELECT id, k, v FROM ob WHERE k NOT IN (SELECT x FROM it)",
        "SELECT id, k FROM ob WHERE k IN (SELECT x FROM it WHERE id > 1) AND v IS DISTINCT FROM 3",
        "SELECT o.id FROM op o WHERE EXISTS (SELECT 1 FROM it i WHERE i.x = o.k AND i.w > o.v)",
        "SELECT o.id, o.v FROM op o WHERE NOT EXISTS (SELECT 1 FROM it i WHERE i.x = o.k AND i.w <> o.v)",
        "SELECT b.id, b.k FROM ob b WHERE NOT EXISTS (SELECT 1 FROM it WHERE it.x = b.k AND id < b.v)",
        "SELECT id, k FROM op WHERE k NOT IN (SELECT v FROM op WHERE v > 3)",
        "SELECT id, v FROM op WHERE id NOT IN (SELECT o2.id FROM op o2 WHERE o2.v > 3)",
        "SELECT b.id, b.k FROM ob b WHERE b.k IN (SELECT b.v FROM ob WHERE ob.k = 2)",
        "SELECT o.id, b.v FROM op o JOIN ob b ON b.id = o.id WHERE o.k NOT IN (SELECT x FROM it WHERE it.w = o.v)",
        "SELECT k, count(*) AS n, sum(v) AS total FROM ob WHERE v NOT IN (SELECT w FROM it WHERE x IS NOT NULL) GROUP BY k",
        "SELECT k FROM op WHERE NOT (k IN (SELECT x FROM it WHERE w < 4))",
        "SELECT id, k FROM op WHERE k IN (SELECT x FROM it GROUP BY x HAVING sum(w) > 4)",
        "SELECT id, k, v FROM ob WHERE k NOT IN (SELECT x FROM it GROUP BY x HAVING count(*) > 1)",
        "SELECT o.id, b.v FROM op o JOIN ob b ON b.k = o.k WHERE EXISTS (SELECT * FROM it i WHERE i.x = o.k AND i.w <> o.v)"
            + " AND NOT EXISTS (SELECT * FROM it j WHERE j.x = o.k AND j.w <> o.v AND j.id > 2)",
        "SELECT k, count(*) AS n, sum(v) AS total FROM ob WHERE EXISTS (SELECT 1 FROM it WHERE it.x = ob.k)"
            + " AND v NOT IN (SELECT w FROM it WHERE x > 1) GROUP BY k",
        "SELECT o.id FROM op o WHERE EXISTS (SELECT 1 FROM it i JOIN ob b ON b.id = i.id WHERE i.x = o.k AND b.v <> o.v)",
        "SELECT o.id, o.v FROM op o WHERE NOT EXISTS (SELECT 1 FROM itv WHERE itv.x = o.k)",
        "SELECT id, v FROM ob WHERE v IN (SELECT w FROM itv)",
        "SELECT id, k FROM op WHERE id IN (SELECT b.id FROM ob b WHERE b.k IN (SELECT x FROM it WHERE w > 1)"
            + " AND b.v > (SELECT 0.5 * sum(w) FROM it WHERE it.x = b.k))",
        "SELECT id FROM op WHERE EXISTS (SELECT x FROM it GROUP BY x HAVING count(*) > 2)",
        "SELECT id, k FROM op WHERE k IN (SELECT x FROM it UNION SELECT v FROM ob)",
        "SELECT id FROM op WHERE v NOT IN (SELECT i.w FROM it i JOIN ob b ON b.k = i.x)",
        "SELECT id FROM op o WHERE NOT EXISTS (SELECT 1 FROM it i, ob b WHERE b.k = i.x AND i.w = o.v AND b.id <> o.id)");
  }

  @ParameterizedTest
  @MethodSource("queries")
  void matchesItsQueryAfterEveryRefresh(String query) throws Exception {
    harness.assertMaintainedUnderRandomChanges("sj_", query, FuzzCycles.seed(query.hashCode()),
        FuzzCycles.perCase(30), 1, 5, SemiJoinOracleTest::change,
        "DELETE FROM op",
        "DELETE FROM ob",
        "DELETE FROM it",
        "INSERT INTO op SELECT g, g % 5, CASE WHEN g % 4 = 0 THEN NULL ELSE g % 6 END FROM generate_series(1, 12) g",
        "INSERT INTO ob SELECT g % 7, g % 5, g % 4 FROM generate_series(1, 14) g",
        "INSERT INTO it SELECT g, g % 6, g % 5 FROM generate_series(1, 5) g");
  }

  /** One random change; outer and inner relations change in the same batch. */
  private static String change(Random r) {
    int id = r.nextInt(16);
    String a = value(r);
    String b = value(r);
    return switch (r.nextInt(12)) {
      case 0 -> "INSERT INTO op VALUES (" + id + ", " + a + ", " + b + ") ON CONFLICT (id) DO UPDATE SET k = excluded.k";
      case 1 -> "UPDATE op SET k = " + a + " WHERE id = " + id;
      case 2 -> "DELETE FROM op WHERE id = " + id;
      case 3 -> "INSERT INTO ob VALUES (" + id % 8 + ", " + a + ", " + b + "), (" + id % 8 + ", " + a + ", " + b + ")";
      case 4 -> "DELETE FROM ob WHERE ctid IN (SELECT ctid FROM ob WHERE id = " + id % 8 + " LIMIT 1)";
      case 5 -> "UPDATE ob SET v = " + a + " WHERE k IS NOT DISTINCT FROM " + b;
      case 6, 7 -> "INSERT INTO it VALUES (" + id + ", " + a + ", " + b + ")";
      case 8 -> "UPDATE it SET x = " + a + " WHERE id = " + id;
      case 9 -> "DELETE FROM it WHERE ctid IN (SELECT ctid FROM it WHERE x IS NOT DISTINCT FROM " + a + " LIMIT 2)";
      case 10 -> r.nextInt(3) == 0 ? "DELETE FROM it" : "DELETE FROM it WHERE x IS NULL";
      default -> "UPDATE it SET w = " + b + " WHERE x IS NOT DISTINCT FROM " + a;
    };
  }

  /** A small int, NULL one time in five, so values repeat and NULLs appear on both sides. */
  private static String value(Random r) {
    return r.nextInt(5) == 0 ? "NULL" : String.valueOf(r.nextInt(7));
  }
}
