package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.sql.Sql;
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
 * The oracle for FULL refresh's two ways of replacing the contents ({@code FullRefresh}): after
 * random inserts, updates and deletes (NULLs and duplicates included) a FULL stream table equals its
 * query as a multiset, whether nothing reads its changes (the contents are replaced whole: a new
 * file, the history counting every old row deleted and every new row inserted) or a DIFFERENTIAL
 * stream table reads them (only the difference is applied: the same file, the history counting
 * exactly the rows that changed, and the reader equal to its own query over the sources). The seed
 * is printed on failure; rerun with {@code -Dtrickle.oracle.seed=<seed>}.
 */
class FullReplacementOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String QUERY = "SELECT k, v, note FROM src WHERE k IS DISTINCT FROM 3";
  private static final String READER = "SELECT k, count(*) AS n, sum(v) AS s FROM st GROUP BY k";
  private static final String READER_OVER_SOURCES =
      "SELECT k, count(*) AS n, sum(v) AS s FROM (" + QUERY + ") q GROUP BY k";

  private ServiceHarness h;

  @BeforeEach
  void setUp() throws SQLException {
    h = ServiceHarness.installed(db);
    h.sql("CREATE TABLE src (id serial PRIMARY KEY, k int, v int, note text)",
        "INSERT INTO src (k, v, note) SELECT g % 5, g % 4, CASE WHEN g % 3 = 0 THEN NULL"
            + " ELSE 'n' || (g % 2) END FROM generate_series(1, 40) g");
    h.create("st", QUERY, "refresh_mode", "FULL");
  }

  @AfterEach
  void tearDown() throws SQLException {
    h.reset("src");
  }

  @Test
  void withoutAReaderTheContentsAreReplacedWhole() throws SQLException {
    long seed = Long.getLong("trickle.oracle.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int cycle = 0; cycle < FuzzCycles.perCase(15); cycle++) {
      String where = "cycle " + cycle + " with seed " + seed;
      changeAtRandom(random);
      long before = h.count("SELECT * FROM st");
      String file = fileOf("st");
      h.refresh("st");
      assertMatches("st", QUERY, where);
      assertThat(lastRefresh())
          .as("history of " + where)
          .containsExactly("FULL", "COMPLETED", String.valueOf(h.count(QUERY)),
              String.valueOf(before));
      if (before > 0) {
        assertThat(fileOf("st")).as("a new file in " + where).isNotEqualTo(file);
      }
    }
  }

  @Test
  void withADifferentialReaderOnlyTheDifferenceIsApplied() throws SQLException {
    h.create("reader", READER, "refresh_mode", "DIFFERENTIAL");
    long seed = Long.getLong("trickle.oracle.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int cycle = 0; cycle < FuzzCycles.perCase(15); cycle++) {
      String where = "cycle " + cycle + " with seed " + seed;
      changeAtRandom(random);
      h.sql("DROP TABLE IF EXISTS old_st", "CREATE TEMP TABLE old_st AS SELECT * FROM st");
      long added = h.count("(" + QUERY + ") EXCEPT ALL SELECT * FROM old_st");
      long removed = h.count("SELECT * FROM old_st EXCEPT ALL (" + QUERY + ")");
      String file = fileOf("st");
      h.refresh("st");
      assertMatches("st", QUERY, where);
      assertThat(fileOf("st")).as("the same file in " + where).isEqualTo(file);
      if (added + removed > 0) {
        assertThat(lastRefresh())
            .as("history of " + where)
            .containsExactly("FULL", "COMPLETED", String.valueOf(added), String.valueOf(removed));
      }
      h.refresh("reader");
      assertMatches("reader", READER_OVER_SOURCES, where);
    }
    assertThat(h.count("SELECT * FROM pgtrickle.get_refresh_history('reader', 1000)"
        + " WHERE action = 'DIFFERENTIAL' AND status = 'COMPLETED'")).isPositive();
  }

  @Test
  void indexesAreBuiltAgainAfterTheLoadAndKeepTheirDefinitions() throws SQLException {
    h.sql("CREATE INDEX st_k_v_note ON st (k, v, note) WITH (fillfactor = 80)",
        "CREATE INDEX st_v_half ON st ((v / 2))");
    List<List<String>> indexes = indexesOf("st");
    String expressionIndex = h.value("SELECT 'st_v_half'::regclass::oid");
    h.sql("DELETE FROM src WHERE id IN (SELECT id FROM src ORDER BY id DESC LIMIT 1)",
        "UPDATE src SET v = v + 1 WHERE k = 1");
    String rebuilt = h.value("SELECT 'st_k_v_note'::regclass::oid");
    h.refresh("st");
    h.assertMatches("st", QUERY);
    assertThat(indexesOf("st")).isEqualTo(indexes);
    assertThat(h.value("SELECT 'st_k_v_note'::regclass::oid")).isNotEqualTo(rebuilt);
    assertThat(h.value("SELECT 'st_v_half'::regclass::oid")).isEqualTo(expressionIndex);
    assertThat(h.count("SELECT * FROM st WHERE k = 1 AND v IS NOT NULL AND note IS NOT NULL"))
        .as("the rebuilt index answers a query")
        .isEqualTo(h.count("SELECT * FROM (" + QUERY + ") q WHERE k = 1 AND v IS NOT NULL"
            + " AND note IS NOT NULL"));
  }

  @Test
  void aDifferentialStreamTableRecomputingKeepsItsIndexAndGoesOnDifferentially()
      throws SQLException {
    h.create("keyed", "SELECT id, k, v FROM src", "refresh_mode", "DIFFERENTIAL");
    List<List<String>> indexes = indexesOf("keyed");
    assertThat(indexes).as("the differential plan's index on the storage").isNotEmpty();
    long seed = Long.getLong("trickle.oracle.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int cycle = 0; cycle < FuzzCycles.perCase(6); cycle++) {
      String where = "cycle " + cycle + " with seed " + seed;
      if (cycle % 2 == 0) {
        h.sql("UPDATE src SET v = coalesce(v, 0) + 1");
      } else {
        changeAtRandom(random);
      }
      h.refresh("keyed");
      assertMatches("keyed", "SELECT id, k, v FROM src", where);
      assertThat(indexesOf("keyed")).as("indexes in " + where).isEqualTo(indexes);
    }
    assertThat(h.rows("SELECT DISTINCT action FROM pgtrickle.get_refresh_history('keyed', 100)"
        + " WHERE status = 'COMPLETED' ORDER BY action"))
        .as("recomputed after whole-table updates, differential after small changes")
        .containsExactly(List.of("DIFFERENTIAL"), List.of("FULL"));
  }

  @Test
  void aQueryPlannedInParallelGivesTheSameRowsEveryWay() throws SQLException {
    String aggregate = "SELECT k, count(*) AS n, sum(v) AS s, min(note) AS m FROM src GROUP BY k";
    h.sql("SET parallel_setup_cost = 0", "SET parallel_tuple_cost = 0",
        "SET min_parallel_table_scan_size = 0", "SET max_parallel_workers_per_gather = 2");
    try {
      assertThat(h.value("SELECT pgtrickle.plans_in_parallel(" + Sql.literal(aggregate) + ")"))
          .as("the planner's choice under these settings")
          .isEqualTo("t");
      h.create("parallel", aggregate, "refresh_mode", "FULL");
      assertMatches("parallel", aggregate, "the first population");
      h.create("parallel_reader", "SELECT n, s FROM parallel", "refresh_mode", "DIFFERENTIAL");
      h.create("replaced", aggregate, "refresh_mode", "FULL");
      long seed = Long.getLong("trickle.oracle.seed", System.nanoTime());
      Random random = new Random(seed);
      for (int cycle = 0; cycle < FuzzCycles.perCase(8); cycle++) {
        String where = "cycle " + cycle + " with seed " + seed;
        changeAtRandom(random);
        String file = fileOf("parallel");
        h.refresh("parallel");
        h.refresh("replaced");
        h.refresh("parallel_reader");
        assertMatches("parallel", aggregate, where);
        assertMatches("replaced", aggregate, where);
        assertMatches("parallel_reader", "SELECT n, s FROM (" + aggregate + ") q", where);
        assertThat(fileOf("parallel")).as("the difference applied in " + where).isEqualTo(file);
      }
    } finally {
      h.sql("RESET parallel_setup_cost", "RESET parallel_tuple_cost",
          "RESET min_parallel_table_scan_size", "RESET max_parallel_workers_per_gather");
    }
    assertThat(h.value("SELECT pgtrickle.plans_in_parallel('SELECT k FROM src WHERE id = 1')"))
        .as("an index lookup")
        .isEqualTo("f");
  }

  /** The table's indexes, name and definition, by name. */
  private List<List<String>> indexesOf(String table) throws SQLException {
    return h.rows("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = '" + table
        + "' ORDER BY indexname");
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

  private String fileOf(String table) throws SQLException {
    return h.value("SELECT pg_relation_filenode('" + table + "')");
  }

  /** Action, status, rows inserted and rows deleted of the stream table's latest refresh. */
  private List<String> lastRefresh() throws SQLException {
    return h.rows("SELECT action, status, rows_inserted, rows_deleted"
        + " FROM pgtrickle.get_refresh_history('st', 1) ORDER BY start_time DESC").get(0);
  }
}
