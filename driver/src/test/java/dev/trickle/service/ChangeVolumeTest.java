package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When most of a source changed, the refresh is FULL and the history says why; with {@code
 * pg_trickle.cost_based_recompute} off (here for the session, a user's manual refresh) the same
 * batch is applied as a delta, and the stream table equals its query either way.
 */
class ChangeVolumeTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabaseWithCostBasedRecompute();

  @Test
  void aMostlyChangedSourceIsRecomputedWithTheReasonRecorded() throws Exception {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.execute("CREATE EXTENSION pg_trickle");
      st.execute("CREATE TABLE big (id int PRIMARY KEY, v int)");
      st.execute("INSERT INTO big SELECT g, g % 7 FROM generate_series(1, 20000) g");
      st.execute("ANALYZE big");
      st.execute("CREATE STREAM TABLE sums WITH (refresh_mode = 'DIFFERENTIAL') AS"
          + " SELECT v, count(*) AS n FROM big GROUP BY v");
      st.execute("UPDATE big SET v = v + 1 WHERE id <= 100");
      st.execute("REFRESH STREAM TABLE sums");
      st.execute("UPDATE big SET v = v + 1");
      st.execute("REFRESH STREAM TABLE sums");
      try (ResultSet rs =
          st.executeQuery("SELECT h.action, h.reason FROM pgtrickle.pgt_refresh_history h"
              + " ORDER BY refresh_id DESC LIMIT 2")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("FULL");
        assertThat(rs.getString(2)).contains("changed rows of big").contains("a full recompute is cheaper");
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).as("a small change stays differential").isEqualTo("DIFFERENTIAL");
      }
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM ((TABLE sums) EXCEPT ALL"
          + " (SELECT v, count(*) FROM big GROUP BY v)) d")) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
      st.execute("SET pg_trickle.cost_based_recompute = off");
      st.execute("UPDATE big SET v = v - 1");
      st.execute("REFRESH STREAM TABLE sums");
      try (ResultSet rs = st.executeQuery("SELECT h.action, h.reason FROM pgtrickle.pgt_refresh_history h"
          + " ORDER BY refresh_id DESC LIMIT 1")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("DIFFERENTIAL");
        assertThat(rs.getString(2)).isNull();
      }
      try (ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM ((TABLE sums) EXCEPT ALL"
          + " (SELECT v, count(*) FROM big GROUP BY v)) d) + (SELECT count(*) FROM ((SELECT v, count(*)"
          + " FROM big GROUP BY v) EXCEPT ALL (TABLE sums)) e)")) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
    }
  }
}
