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
 * The oracle for join deltas that read a source's changes projected to the columns a term names
 * and consolidated on them: updates of columns no query reads (which cancel), keyless duplicates
 * (one of two equal rows deleted, equal rows inserted and deleted in one batch: multiplicities must
 * survive the grouping), {@code numeric} values that are equal but print differently ({@code 1.0}
 * and {@code 1.00}, told apart by their text), {@code json} (no equality operator), NULLs, a
 * keyed self-join, an aggregate and a [NOT] EXISTS over the join. After each batch and a differential
 * refresh the table equals its query as a multiset.
 */
class ProjectedDeltaOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static CompilerHarness harness;

  @BeforeAll
  static void tables() throws Exception {
    harness = CompilerHarness.open(db);
    harness.exec("CREATE TABLE pk (id int PRIMARY KEY, k int, amount numeric(8,2), note text)");
    harness.exec("CREATE TABLE bag (k int, v numeric, doc json, note text)");
    harness.exec("CREATE TABLE dim (k int PRIMARY KEY, name text, comment text)");
  }

  @AfterAll
  static void close() throws Exception {
    harness.close();
  }

  static Stream<String> queries() {
    return Stream.of(
        "SELECT p.id, d.name FROM pk p JOIN dim d ON d.k = p.k",
        "SELECT b.v::text AS v, d.name FROM bag b JOIN dim d ON d.k = b.k",
        "SELECT b.k, b.doc::text AS doc, p.amount FROM bag b JOIN pk p ON p.k = b.k",
        "SELECT d.name, sum(p.amount) AS total, count(*) AS n FROM pk p JOIN dim d ON d.k = p.k GROUP BY d.name",
        "SELECT d.name, count(*) AS n FROM bag b, dim d, pk p WHERE d.k = b.k AND p.k = b.k AND p.amount > 2 GROUP BY d.name",
        "SELECT a.id, c.id AS other, c.amount FROM pk a JOIN pk c ON c.k = a.k AND c.amount > a.amount",
        "SELECT a.k, a.v, c.v AS w FROM bag a JOIN bag c ON c.k = a.k AND c.v > a.v",
        "SELECT p.id FROM pk p JOIN dim d ON d.k = p.k WHERE NOT EXISTS (SELECT 1 FROM bag b WHERE b.k = p.k AND b.v > 3)",
        "SELECT count(*) AS n FROM pk p CROSS JOIN dim d WHERE d.name IS NOT NULL");
  }

  @ParameterizedTest
  @MethodSource("queries")
  void matchesItsQueryAfterEveryRefresh(String query) throws Exception {
    harness.exec("DELETE FROM pk");
    harness.exec("DELETE FROM bag");
    harness.exec("DELETE FROM dim");
    harness.exec("INSERT INTO dim SELECT g, CASE WHEN g = 3 THEN NULL ELSE 'n' || g % 3 END, 'c' FROM generate_series(0, 5) g");
    harness.exec("INSERT INTO pk SELECT g, g % 6, (g % 5)::numeric(8,2), 'x' FROM generate_series(1, 12) g");
    harness.exec("INSERT INTO bag SELECT g % 6, (g % 4)::numeric, json_build_object('g', g % 3), 'y' FROM generate_series(1, 14) g");
    long seed = FuzzCycles.seed(query.hashCode());
    Random r = new Random(seed);
    harness.assertMaintained(harness.nextName("pd_"), query, query, seed, FuzzCycles.perCase(30), () -> {
      for (int i = 0; i < 1 + r.nextInt(5); i++) {
        harness.exec(change(r));
      }
    });
  }

  /** One random change, often to a column no query reads. */
  private static String change(Random r) {
    int id = r.nextInt(14);
    int k = r.nextInt(6);
    String note = "'" + (char) ('a' + r.nextInt(26)) + "'";
    return switch (r.nextInt(12)) {
      case 0 -> "UPDATE dim SET comment = " + note + " WHERE k = " + k;
      case 1 -> "UPDATE pk SET note = " + note + " WHERE id % 3 = " + id % 3;
      case 2 -> "UPDATE bag SET note = " + note + " WHERE k = " + k;
      case 3 -> "INSERT INTO bag VALUES (" + k + ", 2, '{\"g\": 1}', 'y'), (" + k + ", 2, '{\"g\": 1}', 'z')";
      case 4 -> "DELETE FROM bag WHERE ctid IN (SELECT ctid FROM bag WHERE k = " + k + " LIMIT 1)";
      case 5 -> "UPDATE bag SET v = CASE WHEN scale(v) = 1 THEN v::numeric(8,2) ELSE v::numeric(8,1) END WHERE k = " + k;
      case 6 -> "UPDATE bag SET doc = json_build_object('g', " + id % 3 + ") WHERE k = " + k;
      case 7 -> "INSERT INTO pk VALUES (" + id + ", " + (r.nextInt(4) == 0 ? "NULL" : k) + ", " + id % 5
          + ", " + note + ") ON CONFLICT (id) DO UPDATE SET note = excluded.note";
      case 8 -> "UPDATE pk SET amount = amount + 1, note = " + note + " WHERE id = " + id;
      case 9 -> "UPDATE dim SET name = " + (r.nextInt(3) == 0 ? "NULL" : "'n" + id % 3 + "'") + " WHERE k = " + k;
      case 10 -> "DELETE FROM pk WHERE id = " + id;
      default -> "UPDATE bag SET k = " + k + ", note = " + note + " WHERE k = " + (k + 1) % 6;
    };
  }
}
