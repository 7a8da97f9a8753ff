package dev.trickle.refresh;

import static dev.trickle.testing.StreamTableChecks.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A differential program plans with {@code random_page_cost} lowered to {@code seq_page_cost}, and
 * only the program: a recompute and the rest of a caller's transaction see the session's value, and
 * a session whose value is already at or below {@code seq_page_cost} keeps it.
 */
class PageCostsTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String QUERY =
      "SELECT id, v, pg_catalog.current_setting('random_page_cost') AS planned_with FROM src";

  @Test
  void onlyTheProgramRunsWithTheLoweredCost() throws SQLException {
    try (Connection c = db.connectWithoutScheduler(); Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE src (id int PRIMARY KEY, v int)");
      s.execute("INSERT INTO src VALUES (1, 1)");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'costs', query => $$" + QUERY
          + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      assertThat(plannedWith(s, 1)).as("populated by recomputing").isEqualTo("4");

      s.execute("INSERT INTO src VALUES (2, 2)");
      s.execute("SELECT pgtrickle.refresh_stream_table('costs')");
      assertThat(plannedWith(s, 2)).as("written by the differential program").isEqualTo("1");
      assertThat(setting(s)).isEqualTo("4");

      s.execute("BEGIN");
      s.execute("SET LOCAL random_page_cost = 3");
      s.execute("INSERT INTO src VALUES (3, 3)");
      s.execute("SELECT pgtrickle.refresh_stream_table('costs')");
      assertThat(setting(s)).as("the caller's transaction keeps its own").isEqualTo("3");
      s.execute("COMMIT");
      assertThat(plannedWith(s, 3)).isEqualTo("1");

      s.execute("SET random_page_cost = 0.5");
      s.execute("INSERT INTO src VALUES (4, 4)");
      s.execute("SELECT pgtrickle.refresh_stream_table('costs')");
      assertThat(plannedWith(s, 4)).as("already below seq_page_cost: left alone").isEqualTo("0.5");
      assertThat(value(s, "SELECT count(*) FROM costs")).isEqualTo(4);
    }
  }

  @Test
  void lowersOnlyASettingAboveTheSequentialCost() {
    PageCosts defaults = new PageCosts("4", "1");
    assertThat(defaults.lower()).contains("SET LOCAL random_page_cost = 1.0");
    assertThat(defaults.restore()).contains("SET LOCAL random_page_cost = 4.0");
    assertThat(new PageCosts("1.1", "1.1").lower()).isEqualTo(Optional.empty());
    assertThat(new PageCosts("0.5", "1").restore()).isEqualTo(Optional.empty());
  }

  private static String plannedWith(Statement s, int id) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT planned_with FROM costs WHERE id = " + id)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String setting(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SHOW random_page_cost")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
