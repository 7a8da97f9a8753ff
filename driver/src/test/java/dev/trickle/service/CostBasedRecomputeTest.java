package dev.trickle.service;

import static dev.trickle.testing.StreamTableChecks.difference;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A DIFFERENTIAL stream table whose first batch would cost more to apply than to recompute (a
 * share of a four-way join's largest source well under the half that {@code ChangeVolumeTest}
 * covers), before any differential refresh was measured, is recomputed by the static estimate:
 * the history says FULL and why, in the reason column of the monitoring functions, the stream
 * table stays DIFFERENTIAL; the next large batch is weighed from the buffer's row counts before any
 * delta table is filled, and the next small batch is differential again. Once refreshes were
 * measured, {@code LearnedCostRefreshTest} covers the choice.
 */
class CostBasedRecomputeTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabaseWithCostBasedRecompute();

  private static final String QUERY = "SELECT a.name AS an, b.name AS bn, c.name AS cn,"
      + " sum(f.v) AS total, count(*) AS n FROM fact f JOIN dim_a a ON a.id = f.a"
      + " JOIN dim_b b ON b.id = f.b JOIN dim_c c ON c.id = f.c GROUP BY a.name, b.name, c.name";

  @Test
  void aBatchCheaperToRecomputeIsRecomputedOnceWithTheEstimateAsReason() throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.execute("CREATE EXTENSION pg_trickle");
      for (String dim : new String[] {"dim_a", "dim_b", "dim_c"}) {
        st.execute("CREATE TABLE " + dim + " (id int PRIMARY KEY, name text)");
        st.execute("INSERT INTO " + dim + " SELECT g, 'n' || (g % 7) FROM generate_series(1, 100) g");
      }
      st.execute("CREATE TABLE fact (id int PRIMARY KEY, a int, b int, c int, v int)");
      st.execute("CREATE INDEX ON fact (a)");
      st.execute("INSERT INTO fact SELECT g, 1 + g % 100, 1 + (g / 3) % 100, 1 + (g / 7) % 100,"
          + " g % 13 FROM generate_series(1, 20000) g");
      st.execute("ANALYZE");
      st.execute("CREATE STREAM TABLE totals WITH (refresh_mode = 'DIFFERENTIAL') AS " + QUERY);

      st.execute("BEGIN");
      st.execute("INSERT INTO fact VALUES (20001, 1, 1, 1, NULL), (20002, 1, 1, 1, NULL)");
      st.execute("UPDATE fact SET v = v + 1, a = 1 + (a % 100) WHERE id % 20000 < 2800");
      st.execute("DELETE FROM fact WHERE id = 20001");
      st.execute("COMMIT");
      st.execute("REFRESH STREAM TABLE totals");
      assertThat(lastHistory(st))
          .startsWith("FULL|")
          .contains("changed rows through 4 inputs")
          .contains("recomputing from");
      assertThat(difference(st, "totals", QUERY)).isZero();
      try (ResultSet rs = st.executeQuery(
          "SELECT refresh_mode FROM pgtrickle.pgt_status() WHERE name = 'public.totals'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("DIFFERENTIAL");
      }

      st.execute("UPDATE fact SET v = v - 1, b = 1 + (b % 100) WHERE id % 20000 < 2800");
      st.execute("REFRESH STREAM TABLE totals");
      assertThat(lastHistory(st))
          .as("after a recompute for cost, the next batch is counted and weighed before the fill")
          .startsWith("FULL|before filling the delta tables: ")
          .contains("changed rows through 4 inputs");
      assertThat(difference(st, "totals", QUERY)).isZero();

      st.execute("UPDATE fact SET v = NULL WHERE id BETWEEN 100 AND 120");
      st.execute("REFRESH STREAM TABLE totals");
      assertThat(lastHistory(st)).startsWith("DIFFERENTIAL|");
      assertThat(difference(st, "totals", QUERY)).isZero();
    }
  }

  /** {@code action|reason} of the stream table's latest refresh, as the monitoring shows it. */
  private static String lastHistory(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT action || '|' || coalesce(reason, '')"
        + " FROM pgtrickle.get_refresh_history('totals', 1)")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }
}
