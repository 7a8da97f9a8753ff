package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.FuzzCycles;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.SQLException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The oracle for a recompute that fills the storage from the differential program's state rebuilt
 * first ({@code RecomputedRows}): DIFFERENTIAL stream tables whose output is all in state (a
 * grouped aggregate with HAVING, an aggregate without GROUP BY, a top-k over an aggregate, and a
 * stream table reading one of them, so that the difference is applied rather than the contents
 * replaced) recompute after whole-table updates and refresh differentially after small random
 * changes; after each refresh every one equals its query as a multiset. A state that did not match
 * the recomputed storage would show in the differential refreshes after it. The seed is printed
 * on failure; rerun with {@code -Dtrickle.oracle.seed=<seed>}.
 */
class RecomputeFromStateOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String GROUPED =
      "SELECT k, count(*) AS n, sum(v) AS s, avg(v) AS a, min(v) AS lo, max(note) AS hi"
          + " FROM src GROUP BY k HAVING count(*) > 1";
  private static final String UNGROUPED =
      "SELECT count(*) AS n, sum(v) AS s, avg(v) AS a FROM src WHERE k IS DISTINCT FROM 3";
  private static final String TOP =
      "SELECT k, sum(v) AS s FROM src GROUP BY k ORDER BY s DESC NULLS LAST, k NULLS FIRST"
          + " LIMIT 2";
  private static final String READER = "SELECT count(*) AS groups, sum(n) AS rows FROM grouped";
  private static final String READER_OVER_SOURCES =
      "SELECT count(*) AS groups, sum(n) AS rows FROM (" + GROUPED + ") q";

  private ServiceHarness h;

  @BeforeEach
  void setUp() throws SQLException {
    h = ServiceHarness.installed(db);
    h.sql("CREATE TABLE src (id serial PRIMARY KEY, k int, v int, note text)",
        "INSERT INTO src (k, v, note) SELECT g % 5, g % 4, CASE WHEN g % 3 = 0 THEN NULL"
            + " ELSE 'n' || (g % 2) END FROM generate_series(1, 40) g");
    h.create("grouped", GROUPED, "refresh_mode", "DIFFERENTIAL");
    h.create("ungrouped", UNGROUPED, "refresh_mode", "DIFFERENTIAL");
    h.create("top", TOP, "refresh_mode", "DIFFERENTIAL");
    h.create("reader", READER, "refresh_mode", "DIFFERENTIAL");
  }

  @AfterEach
  void tearDown() throws SQLException {
    h.reset("src");
  }

  @Test
  void recomputesFromStateAndGoesOnDifferentially() throws SQLException {
    long seed = Long.getLong("trickle.oracle.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int cycle = 0; cycle < FuzzCycles.perCase(8); cycle++) {
      String where = "cycle " + cycle + " with seed " + seed;
      if (cycle % 2 == 0) {
        h.sql("UPDATE src SET v = coalesce(v, 0) + 1, k = CASE WHEN id % 9 = 0 THEN NULL"
            + " ELSE coalesce(k, 0) END");
      } else {
        changeAtRandom(random);
      }
      for (String name : List.of("grouped", "ungrouped", "top", "reader")) {
        h.refresh(name);
      }
      assertMatches("grouped", GROUPED, where);
      assertMatches("ungrouped", UNGROUPED, where);
      assertMatches("top", TOP, where);
      assertMatches("reader", READER_OVER_SOURCES, where);
    }
    for (String name : List.of("grouped", "ungrouped", "top")) {
      assertThat(h.rows("SELECT DISTINCT action FROM pgtrickle.get_refresh_history('" + name
              + "', 100) WHERE status = 'COMPLETED' ORDER BY action"))
          .as(name + " recomputed after whole-table updates, differential after small changes")
          .containsExactly(List.of("DIFFERENTIAL"), List.of("FULL"));
    }
  }

  private void assertMatches(String streamTable, String query, String where)
      throws SQLException {
    try {
      h.assertMatches(streamTable, query);
    } catch (AssertionError e) {
      throw new AssertionError("oracle failed for " + streamTable + " in " + where, e);
    }
  }

  /** One to four random changes of {@code src}, at least one of which changes a row. */
  private void changeAtRandom(Random random) throws SQLException {
    h.sql("INSERT INTO src (k, v, note) VALUES (" + random.nextInt(6) + ", " + value(random)
        + ", NULL)");
    for (int i = random.nextInt(4); i > 0; i--) {
      String k = String.valueOf(random.nextInt(6));
      h.sql(switch (random.nextInt(5)) {
        case 0 -> "INSERT INTO src (k, v, note) SELECT " + k + ", " + value(random)
            + ", 'dup' FROM generate_series(1, 2)";
        case 1 -> "UPDATE src SET v = " + value(random) + " WHERE k = " + k;
        case 2 -> "UPDATE src SET k = " + k + " WHERE id % 7 = " + random.nextInt(7);
        case 3 -> "DELETE FROM src WHERE id IN (SELECT id FROM src WHERE k = " + k
            + " ORDER BY id LIMIT 2)";
        default -> "UPDATE src SET note = NULL WHERE id % 5 = " + random.nextInt(5);
      });
    }
  }

  private static String value(Random random) {
    return random.nextInt(4) == 0 ? "NULL" : String.valueOf(random.nextInt(5));
  }
}
