package dev.trickle.service;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real refreshes deciding from the costs a stream table learned from its own refreshes: seeded
 * through the catalog (a delta learned at 10 s for 100 changed rows, a recompute at 1 ms) so the
 * choice does not depend on this machine's speed, then refreshed after random changes. Such a
 * refresh recomputes (history FULL, the reason stating both figures; after a recompute, decided
 * from the buffer's row count before any delta table is filled; the stream table stays
 * DIFFERENTIAL and equals its query, also for a stream table that reads it), learns the real
 * recompute time, and tries the delta again once the probe is due; a cheap delta then replaces
 * what was learned and the refreshes stay differential.
 */
class LearnedCostRefreshTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabaseWithCostBasedRecompute();

  private static final String QUERY = "SELECT d.name, count(*) AS n, sum(f.v) AS total"
      + " FROM fact f JOIN dim d ON d.id = f.d GROUP BY d.name";

  @BeforeAll
  static void install() throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.execute("CREATE EXTENSION pg_trickle");
    }
  }

  /**
   * Ten seconds for a batch of 100 changed rows, 1 ms to recompute, {@code streak} so far, for the
   * stream table {@code totals} of the schema first on the {@code search_path}.
   */
  private static String seedSlowDelta(int streak) {
    return "UPDATE pgtrickle.pgt_stream_tables SET last_recompute_ms = 1, delta_refreshes = 3,"
        + " delta_rows_avg = 100, delta_ms_avg = 10000, delta_rows_sq_avg = 10000,"
        + " delta_rows_ms_avg = 1000000, costly_streak = " + streak + TOTALS;
  }

  /** The catalog row of {@code totals} in the schema first on the {@code search_path}. */
  private static final String TOTALS =
      " WHERE pgt_name = 'totals' AND pgt_schema = current_schema()";

  /** The sources, in a schema of the test's own, first on the {@code search_path}. */
  private static void createSources(Statement st, String schema) throws SQLException {
    st.execute("CREATE SCHEMA " + schema);
    st.execute("SET search_path = " + schema + ", public");
    st.execute("CREATE TABLE dim (id int PRIMARY KEY, name text)");
    st.execute("INSERT INTO dim SELECT g, 'n' || (g % 17) FROM generate_series(1, 200) g");
    st.execute("CREATE TABLE fact (id int PRIMARY KEY, d int, v int)");
    st.execute("INSERT INTO fact SELECT g, 1 + g % 200, g % 13 FROM generate_series(1, 5000) g");
  }

  /** Inserts, updates and deletes a few random rows of both sources in one transaction. */
  private static void randomChanges(Statement st, Random random, int round) throws SQLException {
    st.execute("BEGIN");
    for (int i = 0; i < 5 + random.nextInt(20); i++) {
      int id = 1 + random.nextInt(5000);
      switch (random.nextInt(3)) {
        case 0 -> st.execute("UPDATE fact SET v = " + random.nextInt(100) + ", d = "
            + (1 + random.nextInt(200)) + " WHERE id = " + id);
        case 1 -> st.execute("DELETE FROM fact WHERE id = " + id);
        default -> st.execute("INSERT INTO fact VALUES (" + (10_000 * round + i) + ", "
            + (1 + random.nextInt(200)) + ", " + (random.nextBoolean() ? "NULL" : "7") + ")");
      }
    }
    st.execute("UPDATE dim SET name = 'm' || " + random.nextInt(5) + " WHERE id = "
        + (1 + random.nextInt(200)));
    st.execute("COMMIT");
  }

  @Test
  void aDeltaLearnedMuchSlowerThanRecomputingIsRecomputedAndTheStreamTableStaysCorrect()
      throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      createSources(st, "recomputed");
      st.execute("CREATE STREAM TABLE totals WITH (refresh_mode = 'DIFFERENTIAL') AS " + QUERY);
      st.execute("CREATE STREAM TABLE names WITH (refresh_mode = 'DIFFERENTIAL') AS"
          + " SELECT n, count(*) AS c FROM totals GROUP BY n");
      st.execute(seedSlowDelta(1));
      Random random = new Random(7);
      for (int round = 1; round <= 4; round++) {
        randomChanges(st, random, round);
        st.execute("REFRESH STREAM TABLE totals");
        try (ResultSet rs = st.executeQuery("SELECT action, reason FROM"
            + " pgtrickle.get_refresh_history('totals', 1)")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString("action")).as("round %d", round).isEqualTo("FULL");
          assertThat(rs.getString("reason"))
              .as("a streak: decided from the buffer's rows, before filling the delta tables")
              .matches("before filling the delta tables: \\d+ changed rows: applying the delta"
                  + " predicted at \\d+ ms \\(0 ms \\+"
                  + " 100000\\.0 µs a row, learned from 3 differential refreshes\\), recomputing"
                  + " measured at \\d+ ms");
          if (round == 1) {
            assertThat(rs.getString("reason")).endsWith("recomputing measured at 1 ms");
          }
        }
        assertThat(difference(st, "totals", QUERY)).as("round %d", round).isZero();
        st.execute("REFRESH STREAM TABLE names");
        assertThat(difference(st, "names", "SELECT n, count(*) AS c FROM totals GROUP BY n"))
            .isZero();
      }
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_class WHERE relnamespace ="
          + " pg_my_temp_schema() AND relname IN ('__pgt_delta_' || 'fact'::regclass::oid,"
          + " '__pgt_delta_' || 'dim'::regclass::oid)")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).as("no delta table of totals' sources was filled").isZero();
      }
      try (ResultSet rs = st.executeQuery("SELECT refresh_mode FROM pgtrickle.pgt_status()"
          + " WHERE name = 'recomputed.totals'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("DIFFERENTIAL");
      }
      try (ResultSet rs = st.executeQuery("SELECT last_recompute_ms, delta_refreshes,"
          + " costly_streak FROM pgtrickle.pgt_stream_tables" + TOTALS)) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getDouble(1)).as("the measured recompute replaced the seeded one")
            .isNotEqualTo(1.0).isPositive();
        assertThat(rs.getInt(2)).isEqualTo(3);
        assertThat(rs.getInt(3)).as("one more per recompute").isEqualTo(5);
      }
    }
  }

  @Test
  void whenTheProbeIsDueTheDeltaIsAppliedAndACheapOneBringsTheStreamTableBack()
      throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      createSources(st, "probed");
      st.execute("CREATE STREAM TABLE totals WITH (refresh_mode = 'DIFFERENTIAL') AS " + QUERY);
      Random random = new Random(11);
      randomChanges(st, random, 1);
      st.execute("REFRESH STREAM TABLE totals");
      assertThat(lastActionOf(st)).as("nothing learned yet").isEqualTo("DIFFERENTIAL");
      st.execute(seedSlowDelta(7));
      randomChanges(st, random, 2);
      st.execute("REFRESH STREAM TABLE totals");
      assertThat(lastActionOf(st)).as("streak 7: still recomputed").isEqualTo("FULL");
      assertThat(difference(st, "totals", QUERY)).isZero();
      // A recompute of 50 ms: the probe is cheap against it whatever this machine's load.
      st.execute("UPDATE pgtrickle.pgt_stream_tables SET last_recompute_ms = 50" + TOTALS);
      randomChanges(st, random, 3);
      st.execute("REFRESH STREAM TABLE totals");
      assertThat(lastActionOf(st)).as("streak 8: the delta is tried").isEqualTo("DIFFERENTIAL");
      assertThat(single(st, "SELECT reason FROM pgtrickle.get_refresh_history('totals', 1)"))
          .startsWith("trying the delta again after 8 refreshes that recomputed");
      assertThat(difference(st, "totals", QUERY)).isZero();
      assertThat(value(st, "SELECT delta_refreshes * 1000 + costly_streak"
          + " FROM pgtrickle.pgt_stream_tables" + TOTALS))
          .as("a delta far cheaper than predicted: learning starts again, the streak ends")
          .isEqualTo(1000);
      for (int round = 4; round <= 6; round++) {
        randomChanges(st, random, round);
        st.execute("REFRESH STREAM TABLE totals");
        assertThat(lastActionOf(st)).as("round %d", round).isEqualTo("DIFFERENTIAL");
        assertThat(difference(st, "totals", QUERY)).isZero();
      }
    }
  }

  @Test
  void aBatchMuchSmallerThanThoseLearnedFromIsApplied() throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      createSources(st, "smaller");
      st.execute("CREATE STREAM TABLE totals WITH (refresh_mode = 'DIFFERENTIAL') AS " + QUERY);
      // 10 s for 100,000 changed rows, 100 µs a row; recomputing 1 ms.
      st.execute("UPDATE pgtrickle.pgt_stream_tables SET last_recompute_ms = 1,"
          + " delta_refreshes = 2, delta_rows_avg = 100000, delta_ms_avg = 10000,"
          + " delta_rows_sq_avg = 1e10, delta_rows_ms_avg = 1e9" + TOTALS);
      st.execute("UPDATE fact SET v = v + 1 WHERE id <= 3");
      st.execute("REFRESH STREAM TABLE totals");
      assertThat(lastActionOf(st)).as("6 delta rows predicted at 0.6 ms").isEqualTo("DIFFERENTIAL");
      assertThat(difference(st, "totals", QUERY)).isZero();
      st.execute("UPDATE fact SET v = v + 1 WHERE id <= 1000");
      st.execute("REFRESH STREAM TABLE totals");
      assertThat(lastActionOf(st)).as("2,000 delta rows predicted far above it").isEqualTo("FULL");
      assertThat(difference(st, "totals", QUERY)).isZero();
    }
  }

  private static String lastActionOf(Statement st) throws SQLException {
    return single(st, "SELECT action FROM pgtrickle.get_refresh_history('totals', 1)");
  }

  private static String single(Statement st, String query) throws SQLException {
    try (ResultSet rs = st.executeQuery(query)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }
}
