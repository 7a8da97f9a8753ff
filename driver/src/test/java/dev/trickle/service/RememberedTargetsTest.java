package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A manual refresh remembers the stream table a name denoted and confirms it in the next refresh's
 * first round trip ({@link RememberedTargets}); whenever the name no longer denotes it, the refresh
 * takes the general path and behaves exactly as without the memory.
 */
class RememberedTargetsTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private Connection c;
  private Statement s;

  @BeforeEach
  void connect() throws SQLException {
    Properties props = new Properties();
    props.setProperty("trickle.scheduler", "false");
    c = db.connect(props);
    s = c.createStatement();
    s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
    s.execute("DROP SCHEMA IF EXISTS other CASCADE");
    s.execute("DROP STREAM TABLE IF EXISTS st");
    s.execute("DROP TABLE IF EXISTS src CASCADE");
    s.execute("CREATE TABLE src (id int PRIMARY KEY, v int)");
    s.execute("INSERT INTO src SELECT g, g FROM generate_series(1, 20) g");
    s.execute("SELECT pgtrickle.create_stream_table(name => 'st', query => $$SELECT id, v FROM src"
        + " WHERE v > 5$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
  }

  @Test
  void aRecreatedStreamTableOfTheSameNameIsTheOneRefreshed() throws SQLException {
    refreshAfterChange("st");
    s.execute("SELECT pgtrickle.drop_stream_table('st')");
    s.execute("SELECT pgtrickle.create_stream_table(name => 'st', query => $$SELECT id FROM src"
        + " WHERE v < 10$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
    s.execute("INSERT INTO src VALUES (100, 1)");
    s.execute("SELECT pgtrickle.refresh_stream_table('st')");
    assertThat(difference("st", "SELECT id FROM src WHERE v < 10")).isZero();
    assertThat(lastAction("st")).isEqualTo("DIFFERENTIAL");
  }

  @Test
  void aNameThatDenotesAnotherStreamTableOnTheSearchPathRefreshesThatOne() throws SQLException {
    refreshAfterChange("st");
    s.execute("CREATE SCHEMA other");
    s.execute("SELECT pgtrickle.create_stream_table(name => 'other.st', query => $$SELECT id FROM"
        + " src WHERE v % 2 = 0$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
    s.execute("SET search_path = other, public");
    s.execute("INSERT INTO src VALUES (101, 8)");
    s.execute("SELECT pgtrickle.refresh_stream_table('st')");
    assertThat(difference("other.st", "SELECT id FROM src WHERE v % 2 = 0")).isZero();
    assertThat(lastAction("other.st")).isEqualTo("DIFFERENTIAL");
    assertThat(count("SELECT * FROM public.st WHERE id = 101")).as("public.st not refreshed").isZero();
    s.execute("RESET search_path");
    refreshAfterChange("st");
  }

  @Test
  void aRemovedCatalogIsReportedAsWithoutTheMemory() throws SQLException {
    refreshAfterChange("st");
    s.execute("DROP EXTENSION pg_trickle CASCADE");
    assertThatThrownBy(() -> s.execute("SELECT pgtrickle.refresh_stream_table('st')"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("CREATE EXTENSION pg_trickle");
  }

  @Test
  void anInvalidSettingIsReportedAsWithoutTheMemory() throws SQLException {
    refreshAfterChange("st");
    s.execute("SET pg_trickle.max_consecutive_errors = 'many'");
    assertThatThrownBy(() -> s.execute("SELECT pgtrickle.refresh_stream_table('st')"))
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22023"));
    s.execute("RESET pg_trickle.max_consecutive_errors");
    refreshAfterChange("st");
  }

  @Test
  void repeatedRefreshesStayEqualToTheQuery() throws SQLException {
    for (int i = 0; i < 20; i++) {
      refreshAfterChange("st");
    }
  }

  private void refreshAfterChange(String name) throws SQLException {
    s.execute("UPDATE src SET v = v + 3 WHERE id % 4 = 1");
    s.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
    assertThat(difference(name, "SELECT id, v FROM src WHERE v > 5")).isZero();
    assertThat(lastAction(name)).isEqualTo("DIFFERENTIAL");
  }

  private long difference(String table, String query) throws SQLException {
    return count("SELECT * FROM ((TABLE " + table + ") EXCEPT ALL (" + query + ")) a UNION ALL"
        + " SELECT * FROM ((" + query + ") EXCEPT ALL (TABLE " + table + ")) b");
  }

  private long count(String query) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM (" + query + ") q")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private String lastAction(String name) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT action FROM pgtrickle.get_refresh_history('" + name
        + "') ORDER BY start_time DESC LIMIT 1")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
