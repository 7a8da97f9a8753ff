package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.lastAction;
import static dev.trickle.testing.StreamTableChecks.value;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A manual refresh refreshes the stream table its name denotes now: after the one it refreshed
 * before was renamed, dropped, replaced or shadowed, the name is resolved again every time.
 */
class RefreshByNameTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private Connection c;
  private Statement s;

  @BeforeEach
  void connect() throws SQLException {
    c = db.connectWithoutScheduler();
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
    assertThat(difference(s, "st", "SELECT id FROM src WHERE v < 10")).isZero();
    assertThat(lastAction(s, "st")).isEqualTo("DIFFERENTIAL");
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
    assertThat(difference(s, "other.st", "SELECT id FROM src WHERE v % 2 = 0")).isZero();
    assertThat(lastAction(s, "other.st")).isEqualTo("DIFFERENTIAL");
    assertThat(value(s, "SELECT count(*) FROM public.st WHERE id = 101")).as("public.st not refreshed").isZero();
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
    assertThat(difference(s, name, "SELECT id, v FROM src WHERE v > 5")).isZero();
    assertThat(lastAction(s, name)).isEqualTo("DIFFERENTIAL");
  }
}
