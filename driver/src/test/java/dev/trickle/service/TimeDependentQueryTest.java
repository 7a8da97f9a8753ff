package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A query reading the clock in AUTO mode is maintained by FULL, with a WARNING giving the function
 * and its position, and its rows all carry the time of the latest refresh (a DIFFERENTIAL refresh
 * would have kept the time each row was written at).
 */
class TimeDependentQueryTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @ParameterizedTest
  @ValueSource(strings = {"now()", "current_timestamp", "localtimestamp", "statement_timestamp()"})
  void autoFallsBackToFullWithTheReason(String clock) throws SQLException {
    String name = "tq_" + clock.replaceAll("\\W", "");
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE IF NOT EXISTS tq (id int PRIMARY KEY)");
      s.execute("INSERT INTO tq VALUES (1) ON CONFLICT DO NOTHING");
      c.clearWarnings();
      s.execute("SELECT pgtrickle.create_stream_table('" + name + "', 'SELECT id, " + clock
          + " AS t FROM tq')");
      StringBuilder warnings = new StringBuilder();
      for (SQLWarning w = c.getWarnings(); w != null; w = w.getNextWarning()) {
        warnings.append(w.getMessage()).append('\n');
      }
      assertThat(warnings.toString())
          .contains("stream table public." + name + " uses FULL refresh: time-dependent function")
          .contains("at line 1, column 12");
      try (ResultSet rs = s.executeQuery("SELECT effective_mode, mode_reason FROM"
          + " pgtrickle.pgt_stream_tables WHERE pgt_name = '" + name + "'")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("FULL");
        assertThat(rs.getString(2)).contains("time-dependent function");
      }
      s.execute("INSERT INTO tq VALUES (" + (10 + name.length()) + ") ON CONFLICT DO NOTHING");
      s.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
      try (ResultSet rs = s.executeQuery("SELECT count(DISTINCT t), count(*) FROM " + name)) {
        rs.next();
        assertThat(rs.getLong(1)).as("every row has the time of the latest refresh").isEqualTo(1);
        assertThat(rs.getLong(2)).isGreaterThan(1);
      }
    }
  }
}
