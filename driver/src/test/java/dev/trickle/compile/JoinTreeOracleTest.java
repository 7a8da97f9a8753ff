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
 * The oracle for join trees beyond one outer join: USING and NATURAL joins (merged columns,
 * {@code SELECT *} over them, FULL JOIN USING's COALESCE), LEFT joins that more joins follow,
 * RIGHT and FULL joins of three relations, under aggregates and semi-joins. Join keys repeat and
 * are NULL on every side, rows move between matched and padded, and all three relations change in
 * the same batch. After each batch and a differential refresh the table equals its query as a
 * multiset.
 */
class JoinTreeOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static CompilerHarness harness;

  @BeforeAll
  static void tables() throws Exception {
    harness = CompilerHarness.open(db,
        "CREATE TABLE ja (id int PRIMARY KEY, k int, v int)",
        "CREATE TABLE jb (id int, k int, w int)",
        "CREATE TABLE jc (k int, label text)");
  }

  @AfterAll
  static void close() throws Exception {
    harness.close();
  }

  static Stream<String> queries() {
    return Stream.of(
        "SELECT * FROM ja JOIN (SELECT id, w, k AS bk FROM jb) b USING (id)",
        "SELECT * FROM jb NATURAL JOIN jc",
        "SELECT id, x.k, y.v FROM ja x JOIN ja y USING (id)",
        "SELECT k, ja.id, jb.w FROM ja LEFT JOIN jb USING (k)",
        "SELECT * FROM ja FULL JOIN jb USING (id, k)",
        "SELECT k, count(*) AS n, count(jb.id) AS matched FROM jb RIGHT JOIN jc USING (k) GROUP BY k",
        "SELECT id, w, label FROM ja LEFT JOIN jb USING (id) FULL JOIN jc ON jc.k = ja.v",
        "SELECT a.id, b.w, c.label FROM ja a LEFT JOIN jb b ON b.k = a.k JOIN jc c ON c.k = a.v",
        "SELECT a.id, b.w, c.label FROM ja a LEFT JOIN jb b ON b.k = a.k LEFT JOIN jc c ON c.k = b.w",
        "SELECT a.id, b.id AS bid, c.label FROM ja a JOIN jb b ON b.id = a.id FULL JOIN jc c ON c.k = a.k",
        "SELECT a.id, b.w, c.label FROM ja a RIGHT JOIN jb b ON b.k = a.k RIGHT JOIN jc c ON c.k = b.id",
        "SELECT a.*, b.id AS bid, b.w, c.label FROM ja a FULL JOIN jb b ON b.k = a.k FULL JOIN jc c ON c.k = a.v",
        "SELECT c.k, count(a.id) AS n, sum(b.w) AS total FROM ja a LEFT JOIN jb b ON b.k = a.k JOIN jc c ON c.k = a.v GROUP BY c.k",
        "SELECT a.id, c.label FROM ja a LEFT JOIN jb b ON b.k = a.k, jc c WHERE c.k = a.v"
            + " AND EXISTS (SELECT 1 FROM jb x WHERE x.id = a.id)");
  }

  @ParameterizedTest
  @MethodSource("queries")
  void matchesItsQueryAfterEveryRefresh(String query) throws Exception {
    harness.assertMaintainedUnderRandomChanges("jt_", query,
        FuzzCycles.seed(query.hashCode() * 17L + 3), FuzzCycles.perCase(10), 2, 5,
        JoinTreeOracleTest::change,
        "DELETE FROM ja",
        "DELETE FROM jb",
        "DELETE FROM jc",
        "INSERT INTO ja SELECT g, g % 4, CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 8) g",
        "INSERT INTO jb SELECT g % 6, CASE WHEN g % 7 = 0 THEN NULL ELSE g % 4 END, g % 3 FROM generate_series(1, 10) g",
        "INSERT INTO jc SELECT g % 5, 'l' || (g % 3) FROM generate_series(1, 6) g");
  }

  /** One random change to one of the three relations. */
  private static String change(Random r) {
    int id = r.nextInt(10);
    String a = value(r);
    String b = value(r);
    return switch (r.nextInt(10)) {
      case 0 -> "INSERT INTO ja VALUES (" + id + ", " + a + ", " + b + ") ON CONFLICT (id) DO UPDATE SET k = excluded.k";
      case 1 -> "UPDATE ja SET v = " + a + " WHERE id = " + id;
      case 2 -> "DELETE FROM ja WHERE id = " + id;
      case 3 -> "INSERT INTO jb VALUES (" + id % 6 + ", " + a + ", " + b + "), (" + id % 6 + ", " + a + ", " + b + ")";
      case 4 -> "DELETE FROM jb WHERE ctid IN (SELECT ctid FROM jb WHERE id = " + id % 6 + " LIMIT 1)";
      case 5 -> "UPDATE jb SET k = " + a + " WHERE w IS NOT DISTINCT FROM " + b;
      case 6 -> "INSERT INTO jc VALUES (" + a + ", 'l" + r.nextInt(3) + "')";
      case 7 -> "DELETE FROM jc WHERE ctid IN (SELECT ctid FROM jc WHERE k IS NOT DISTINCT FROM " + a + " LIMIT 1)";
      case 8 -> "UPDATE jc SET k = " + b + " WHERE k IS NOT DISTINCT FROM " + a;
      default -> r.nextInt(4) == 0 ? "DELETE FROM jb" : "UPDATE ja SET k = " + a + " WHERE id % 3 = " + id % 3;
    };
  }

  /** A small int, NULL one time in five, so keys repeat and NULLs appear on every side. */
  private static String value(Random r) {
    return r.nextInt(5) == 0 ? "NULL" : String.valueOf(r.nextInt(5));
  }
}
