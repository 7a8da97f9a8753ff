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
 * The oracle for aggregates with FILTER that keep NULL inputs ({@code array_agg}, {@code jsonb_agg},
 * {@code string_agg} with ORDER BY inside, as aggregates, scalar aggregates, window aggregates and
 * over a join) and for window functions over grouped rows with DISTINCT or a named WINDOW (and
 * DISTINCT over ungrouped windows and over grouped rows). Values are NULL and repeat, groups empty
 * and fill again, and both relations change in the same batch. After each batch and a
 * differential refresh the table equals its query as a multiset.
 */
class GroupedConstructsOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static CompilerHarness harness;

  @BeforeAll
  static void tables() throws Exception {
    harness = CompilerHarness.open(db,
        "CREATE TABLE gw (id int PRIMARY KEY, k int, v int, tag text)",
        "CREATE TABLE gn (k int, v int)");
  }

  @AfterAll
  static void close() throws Exception {
    harness.close();
  }

  static Stream<String> queries() {
    return Stream.of(
        "SELECT k, array_agg(v ORDER BY id) FILTER (WHERE tag IS NOT NULL) AS vs, count(*) AS n FROM gw GROUP BY k",
        "SELECT k, jsonb_agg(v ORDER BY id) FILTER (WHERE v IS DISTINCT FROM 2) AS vs,"
            + " string_agg(tag, ',' ORDER BY tag) FILTER (WHERE v IS NULL) AS tags FROM gw GROUP BY k",
        "SELECT array_agg(id ORDER BY id) FILTER (WHERE v IS NULL) AS nulls, sum(v) AS total FROM gw",
        "SELECT id, array_agg(v) FILTER (WHERE tag IS NOT NULL) OVER (PARTITION BY k ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING"
            + " AND UNBOUNDED FOLLOWING) AS vs FROM gw",
        "SELECT g.k, array_agg(n.v ORDER BY n.v) FILTER (WHERE n.v IS DISTINCT FROM g.v) AS vs FROM gw g JOIN gn n ON n.k = g.k GROUP BY g.k",
        "SELECT DISTINCT k % 2 AS parity, rank() OVER w AS r FROM gw GROUP BY k"
            + " WINDOW w AS (PARTITION BY k % 2 ORDER BY sum(v) DESC NULLS LAST)",
        "SELECT k, sum(v) AS total, dense_rank() OVER w AS place, lag(sum(v)) OVER w AS prev FROM gw GROUP BY k"
            + " WINDOW w AS (ORDER BY sum(v) NULLS FIRST, k)",
        "SELECT DISTINCT sum(count(*)) OVER (PARTITION BY k % 2) AS s FROM gw GROUP BY k HAVING count(*) > 1",
        "SELECT DISTINCT count(*) AS n FROM gn GROUP BY k",
        "SELECT DISTINCT count(*) OVER (PARTITION BY k) AS n FROM gn");
  }

  @ParameterizedTest
  @MethodSource("queries")
  void matchesItsQueryAfterEveryRefresh(String query) throws Exception {
    harness.exec("DELETE FROM gw");
    harness.exec("DELETE FROM gn");
    harness.exec("INSERT INTO gw SELECT g, g % 3, CASE WHEN g % 4 = 0 THEN NULL ELSE g % 5 END,"
        + " CASE WHEN g % 3 = 0 THEN NULL ELSE 't' || (g % 2) END FROM generate_series(1, 9) g");
    harness.exec("INSERT INTO gn SELECT g % 4, CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 8) g");
    long seed = FuzzCycles.seed(query.hashCode() * 13L + 5);
    Random r = new Random(seed);
    harness.assertMaintained(harness.nextName("gc_"), query, query, seed, FuzzCycles.perCase(8), () -> {
      for (int i = 0; i < 2 + r.nextInt(4); i++) {
        harness.exec(change(r));
      }
    });
  }

  /** One random change to one of the two relations. */
  private static String change(Random r) {
    int id = r.nextInt(12);
    String a = value(r);
    String b = value(r);
    String tag = r.nextInt(4) == 0 ? "NULL" : "'t" + r.nextInt(3) + "'";
    return switch (r.nextInt(8)) {
      case 0, 1 -> "INSERT INTO gw VALUES (" + id + ", " + a + ", " + b + ", " + tag + ") ON CONFLICT (id) DO UPDATE SET v = excluded.v";
      case 2 -> "UPDATE gw SET k = " + a + ", tag = " + tag + " WHERE id = " + id;
      case 3 -> "DELETE FROM gw WHERE k IS NOT DISTINCT FROM " + a;
      case 4 -> "INSERT INTO gn VALUES (" + a + ", " + b + "), (" + a + ", " + b + ")";
      case 5 -> "DELETE FROM gn WHERE ctid IN (SELECT ctid FROM gn WHERE k IS NOT DISTINCT FROM " + a + " LIMIT 1)";
      case 6 -> "UPDATE gn SET v = " + b + " WHERE k IS NOT DISTINCT FROM " + a;
      default -> "UPDATE gw SET v = " + b + " WHERE id % 4 = " + id % 4;
    };
  }

  /** A small int, NULL one time in five. */
  private static String value(Random r) {
    return r.nextInt(5) == 0 ? "NULL" : String.valueOf(r.nextInt(4));
  }
}
