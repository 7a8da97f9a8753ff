package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LifecycleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private Connection c;
  private ServiceHarness h;

  @BeforeEach
  void setUp() throws SQLException {
    c = db.connectPlain();
    h = new ServiceHarness(c);
    h.createExtension();
    h.sql(
        "DROP SCHEMA IF EXISTS app CASCADE",
        "CREATE SCHEMA app",
        "SET search_path = app, public",
        "CREATE TABLE app.emp (id int PRIMARY KEY, dept text, salary numeric(10,2))",
        "INSERT INTO app.emp VALUES (1, 'a', 10.50), (2, 'a', 20), (3, 'b', 5)");
    h.takeWarnings();
  }

  @AfterEach
  void tearDown() throws SQLException {
    h.run(new dev.trickle.rewriter.command.TrickleCommand.DropExtension(true, true));
    c.close();
  }

  @Test
  void createPopulatesARealTableWithTheQueryColumns() throws SQLException {
    h.create("by_dept", "SELECT dept, sum(salary) AS total, count(*) AS n FROM emp GROUP BY dept");
    assertThat(h.takeWarnings()).anyMatch(w -> w.contains("uses FULL refresh"));
    h.assertMatches("app.by_dept", "SELECT dept, sum(salary), count(*) FROM emp GROUP BY dept");
    assertThat(h.rows("SELECT column_name, data_type FROM information_schema.columns"
            + " WHERE table_schema = 'app' AND table_name = 'by_dept' ORDER BY ordinal_position"))
        .containsExactly(
            List.of("dept", "text"), List.of("total", "numeric"), List.of("n", "bigint"));
    assertThat(h.rows("SELECT status, is_populated, refresh_mode FROM pgtrickle.pgt_status()"))
        .containsExactly(List.of("ACTIVE", "t", "FULL"));
  }

  @Test
  void directWritesAreRefused() throws SQLException {
    h.create("copy", "SELECT * FROM emp");
    for (String write :
        List.of(
            "INSERT INTO copy VALUES (9, 'x', 1)",
            "UPDATE copy SET dept = 'z'",
            "DELETE FROM copy",
            "TRUNCATE copy")) {
      assertThatThrownBy(() -> h.sql(write))
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("0A000"))
          .hasMessageContaining("app.copy is a stream table maintained by Trickle");
    }
  }

  @Test
  void refreshBringsItUpToDate() throws SQLException {
    h.create("copy", "SELECT * FROM emp", "schedule", "1m");
    h.sql("INSERT INTO emp VALUES (4, 'c', 1)", "UPDATE emp SET id = 10 WHERE id = 1",
        "DELETE FROM emp WHERE id = 3");
    h.refresh("copy");
    h.assertMatches("copy", "SELECT * FROM emp");
    assertThat(h.rows("SELECT action, status, rows_inserted, rows_deleted"
            + " FROM pgtrickle.get_refresh_history('app.copy') ORDER BY start_time DESC LIMIT 1"))
        .containsExactly(List.of("FULL", "COMPLETED", "2", "2"));
  }
}
