package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.sql.Sql;
import dev.trickle.testing.FuzzCycles;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.SQLException;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A differential program rebuilds the state it keeps beside the storage through {@code
 * pgtrickle.insert_query_rows} (catalog V28), which computes the rows with parallel workers when
 * PostgreSQL plans the query so. With settings that make every scan parallel: the procedure inserts
 * exactly the query's rows either way, also twice in one transaction; and DIFFERENTIAL stream
 * tables whose state is rebuilt that way (at creation, and when a truncated source makes them
 * recompute) equal their queries as multisets after random changes with NULLs and duplicates. The
 * seed is printed on failure; rerun with {@code -Dtrickle.oracle.seed=<seed>}.
 */
class ParallelStateRebuildTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String AGGREGATE =
      "SELECT k, count(*) AS n, sum(v) AS s, max(v) AS top FROM src GROUP BY k";

  private ServiceHarness h;

  @BeforeEach
  void setUp() throws SQLException {
    h = ServiceHarness.installed(db);
    h.sql("CREATE TABLE src (id serial PRIMARY KEY, k int, v int)",
        "INSERT INTO src (k, v) SELECT g % 7, CASE WHEN g % 5 = 0 THEN NULL ELSE g % 9 END"
            + " FROM generate_series(1, 300) g",
        "ANALYZE src",
        "SET parallel_setup_cost = 0", "SET parallel_tuple_cost = 0",
        "SET min_parallel_table_scan_size = 0", "SET max_parallel_workers_per_gather = 2");
  }

  @AfterEach
  void tearDown() throws SQLException {
    h.sql("RESET parallel_setup_cost", "RESET parallel_tuple_cost",
        "RESET min_parallel_table_scan_size", "RESET max_parallel_workers_per_gather");
    h.reset("src", "copied");
  }

  @Test
  void theProcedureInsertsTheQueryRowsInParallelOrNot() throws SQLException {
    assertThat(h.value("SELECT pgtrickle.plans_in_parallel(" + Sql.literal(AGGREGATE) + ")"))
        .as("the planner's choice under these settings")
        .isEqualTo("t");
    h.sql("CREATE TABLE copied (k int, n bigint, s bigint, top int)");
    String call = "CALL pgtrickle.insert_query_rows('copied', " + Sql.literal(AGGREGATE) + ")";
    h.sql(call);
    h.assertMatches("copied", AGGREGATE);

    h.sql("TRUNCATE copied", "SET max_parallel_workers_per_gather = 0", call);
    h.assertMatches("copied", AGGREGATE);

    h.sql("SET max_parallel_workers_per_gather = 2", "TRUNCATE copied", "BEGIN", call, call,
        "COMMIT");
    h.assertMatches("copied", AGGREGATE + " UNION ALL " + AGGREGATE);
    assertThat(h.value("SELECT to_regclass('pg_temp.__pgt_query_rows') IS NULL"))
        .as("the temporary table is gone")
        .isEqualTo("t");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        AGGREGATE,
        "SELECT k, sum(v) AS s FROM src GROUP BY k ORDER BY s DESC NULLS LAST, k LIMIT 3",
        "SELECT id, k, rank() OVER (PARTITION BY k ORDER BY v, id) AS r FROM src"
      })
  void differentialStateRebuiltInParallelMatchesTheQuery(String query) throws SQLException {
    h.create("st", query, "refresh_mode", "DIFFERENTIAL");
    h.assertMatches("st", query);
    long seed = Long.getLong("trickle.oracle.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int cycle = 0; cycle < FuzzCycles.perCase(9); cycle++) {
      String where = "cycle " + cycle + " with seed " + seed;
      boolean truncated = cycle % 3 == 2;
      if (truncated) {
        h.sql("TRUNCATE src", "INSERT INTO src (k, v) SELECT g % " + (3 + random.nextInt(5))
            + ", CASE WHEN g % 4 = 0 THEN NULL ELSE g % 6 END FROM generate_series(1, "
            + (50 + random.nextInt(300)) + ") g");
      } else {
        change(random);
      }
      h.refresh("st");
      try {
        h.assertMatches("st", query);
      } catch (AssertionError e) {
        throw new AssertionError("oracle failed in " + where, e);
      }
      if (truncated) {
        assertThat(h.value("SELECT action FROM pgtrickle.get_refresh_history('st', 1)"))
            .as("a truncated source recomputes, " + where)
            .isEqualTo("FULL");
      }
    }
  }

  private void change(Random random) throws SQLException {
    String k = String.valueOf(random.nextInt(8));
    String v = random.nextInt(4) == 0 ? "NULL" : String.valueOf(random.nextInt(9));
    h.sql(switch (random.nextInt(4)) {
      case 0 -> "INSERT INTO src (k, v) SELECT " + k + ", " + v + " FROM generate_series(1, 2)";
      case 1 -> "UPDATE src SET v = " + v + " WHERE k = " + k;
      case 2 -> "UPDATE src SET k = " + k + " WHERE id % 11 = " + random.nextInt(11);
      default -> "DELETE FROM src WHERE id IN (SELECT id FROM src WHERE k = " + k
          + " ORDER BY id LIMIT 3)";
    });
  }
}
