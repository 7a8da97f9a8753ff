package dev.trickle.service;

import static dev.trickle.service.SqlStates.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.rewriter.command.TrickleCommand;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Getting Started pipeline (departments, employees, three chained stream tables), then every
 * monitoring object queried from a plain connection, with the columns API.md names.
 */
class MonitoringTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static Connection c;
  private static ServiceHarness h;

  @BeforeAll
  static void gettingStarted() throws SQLException {
    c = db.connectPlain();
    h = new ServiceHarness(c);
    h.createExtension();
    h.sql("CREATE TABLE departments (id SERIAL PRIMARY KEY, name TEXT NOT NULL,"
            + " parent_id INT REFERENCES departments(id))",
        "CREATE TABLE employees (id SERIAL PRIMARY KEY, name TEXT NOT NULL,"
            + " department_id INT NOT NULL REFERENCES departments(id),"
            + " salary NUMERIC(10,2) NOT NULL)",
        "INSERT INTO departments (id, name, parent_id) VALUES (1, 'Company', NULL),"
            + " (2, 'Engineering', 1), (3, 'Sales', 1), (4, 'Operations', 1), (5, 'Backend', 2),"
            + " (6, 'Frontend', 2), (7, 'Platform', 2)",
        "INSERT INTO employees (name, department_id, salary) VALUES ('Alice', 5, 120000),"
            + " ('Bob', 5, 115000), ('Charlie', 6, 110000), ('Diana', 7, 130000),"
            + " ('Eve', 3, 95000), ('Frank', 3, 90000), ('Grace', 4, 100000)");
    h.create("department_tree", """
        WITH RECURSIVE tree AS (
            SELECT id, name, parent_id, name AS path, 0 AS depth
            FROM departments WHERE parent_id IS NULL
            UNION ALL
            SELECT d.id, d.name, d.parent_id, tree.path || ' > ' || d.name AS path, tree.depth + 1
            FROM departments d JOIN tree ON d.parent_id = tree.id
        )
        SELECT id, name, parent_id, path, depth FROM tree
        """, "schedule", "1m");
    h.create("department_stats", """
        SELECT t.id AS department_id, t.name AS department_name, t.path AS full_path, t.depth,
               COUNT(e.id) AS headcount, COALESCE(SUM(e.salary), 0) AS total_salary,
               COALESCE(AVG(e.salary), 0) AS avg_salary
        FROM department_tree t LEFT JOIN employees e ON e.department_id = t.id
        GROUP BY t.id, t.name, t.path, t.depth
        """, "schedule", "calculated");
    h.create("department_report", """
        SELECT split_part(full_path, ' > ', 2) AS division, SUM(headcount) AS total_headcount,
               SUM(total_salary) AS total_payroll
        FROM department_stats WHERE depth >= 1 GROUP BY 1
        """, "schedule", "1m");
    h.sql("INSERT INTO employees (name, department_id, salary) VALUES ('Heidi', 6, 105000)",
        "INSERT INTO departments (id, name, parent_id) VALUES (8, 'DevOps', 2)",
        "UPDATE departments SET name = 'R&D' WHERE id = 2");
    for (String st : List.of("department_tree", "department_stats", "department_report")) {
      h.refresh(st);
    }
  }

  @AfterAll
  static void close() throws SQLException {
    h.run(new TrickleCommand.DropExtension(false, true));
    c.close();
  }

  @Test
  void theChainIsUpToDate() throws SQLException {
    assertThat(h.rows("SELECT department_name, headcount, total_salary FROM department_stats"
            + " WHERE department_name = 'Frontend'"))
        .containsExactly(List.of("Frontend", "2", "215000.00"));
    assertThat(h.rows("SELECT path FROM department_tree WHERE name = 'DevOps'"))
        .containsExactly(List.of("Company > R&D > DevOps"));
    h.assertMatches("department_report", "SELECT split_part(full_path, ' > ', 2),"
        + " SUM(headcount), SUM(total_salary) FROM department_stats WHERE depth >= 1 GROUP BY 1");
  }

  @Test
  void everyMonitoringObjectHasTheDocumentedColumns() throws SQLException {
    try (Connection plain = db.connectPlain()) {
      assertColumns(plain, "SELECT * FROM pgtrickle.pgt_status()", "name", "status",
          "refresh_mode", "is_populated", "consecutive_errors", "schedule", "data_timestamp",
          "staleness");
      assertColumns(plain, "SELECT * FROM pgtrickle.pg_stat_stream_tables", "pgt_schema",
          "pgt_name", "status", "refresh_mode", "total_refreshes", "successful_refreshes",
          "failed_refreshes", "total_rows_inserted", "total_rows_deleted", "avg_duration_ms",
          "last_refresh_action", "last_refresh_at", "staleness_secs", "consecutive_errors",
          "last_error_message");
      List<String> history = List.of("start_time", "stream_table", "action", "status",
          "rows_inserted", "rows_deleted", "duration_ms", "error_message", "reason");
      assertColumns(plain, "SELECT * FROM pgtrickle.refresh_timeline(10)", history);
      assertColumns(plain, "SELECT * FROM pgtrickle.get_refresh_history('department_tree', 5)",
          history);
      assertColumns(plain, "SELECT * FROM pgtrickle.health_check()", "check_name", "severity",
          "detail");
      assertColumns(plain, "SELECT * FROM pgtrickle.dependency_tree()", "tree_line", "node",
          "node_type", "depth", "status", "refresh_mode");
      assertColumns(plain, "SELECT * FROM pgtrickle.change_buffer_sizes()", "stream_table",
          "source_table", "cdc_mode", "pending_rows", "buffer_bytes");
      assertColumns(plain, "SELECT * FROM pgtrickle.list_sources('department_stats')",
          "source_table", "source_type", "cdc_mode", "columns_used");
      assertColumns(plain, "SELECT * FROM pgtrickle.trigger_inventory()", "source_table",
          "trigger_name", "trigger_type", "present", "enabled");
      assertColumns(plain, "SELECT * FROM pgtrickle.diamond_groups()", "group_id",
          "member_name", "is_convergence", "schedule_policy");
      assertColumns(plain, "SELECT * FROM pgtrickle.worker_pool_status()", "active_workers",
          "max_workers", "parallel_mode", "scheduler_host", "last_scheduler_tick");
      assertColumns(plain, "SELECT * FROM pgtrickle.parallel_job_status(60)", "job_id",
          "stream_table", "status", "worker", "enqueued_at", "started_at", "finished_at",
          "duration_ms");
    }
  }

  @Test
  void statusAndStatistics() throws SQLException {
    assertThat(h.rows("SELECT name, status, refresh_mode, schedule FROM pgtrickle.pgt_status()"))
        .containsExactly(
            List.of("public.department_report", "ACTIVE", "DIFFERENTIAL", "1m"),
            List.of("public.department_stats", "ACTIVE", "DIFFERENTIAL", "calculated"),
            List.of("public.department_tree", "ACTIVE", "DIFFERENTIAL", "1m"));
    assertThat(h.rows("SELECT pgt_name, total_refreshes, successful_refreshes, failed_refreshes,"
            + " last_refresh_action FROM pgtrickle.pg_stat_stream_tables ORDER BY 1"))
        .containsExactly(
            List.of("department_report", "2", "2", "0", "DIFFERENTIAL"),
            List.of("department_stats", "2", "2", "0", "DIFFERENTIAL"),
            List.of("department_tree", "2", "2", "0", "DIFFERENTIAL"));
    assertThat(h.rows("SELECT check_name, severity FROM pgtrickle.health_check()"))
        .contains(List.of("tables_in_error", "OK"), List.of("capture_triggers", "OK"),
            List.of("scheduler_running", "WARN"));
  }

  @Test
  void dependencyTreeDrawsTheChain() throws SQLException {
    assertThat(h.rows("SELECT tree_line, node_type, depth FROM pgtrickle.dependency_tree()"))
        .containsExactly(
            List.of("public.department_report", "stream_table", "0"),
            List.of("└── public.department_stats", "stream_table", "1"),
            List.of("    ├── public.department_tree", "stream_table", "2"),
            List.of("    │   └── public.departments", "source_table", "3"),
            List.of("    └── public.employees", "source_table", "2"));
  }

  @Test
  void buffersTriggersAndSources() throws SQLException {
    h.sql("INSERT INTO employees (name, department_id, salary) VALUES ('Ivan', 3, 1)");
    assertThat(h.rows("SELECT stream_table, source_table, pending_rows"
            + " FROM pgtrickle.change_buffer_sizes() WHERE source_table = 'public.employees'"))
        .containsExactly(List.of("public.department_stats", "public.employees", "1"));
    assertThat(h.rows("SELECT trigger_type, bool_and(present AND enabled)::text"
            + " FROM pgtrickle.trigger_inventory() GROUP BY 1 ORDER BY 1"))
        .containsExactly(List.of("CAPTURE DELETE", "true"), List.of("CAPTURE INSERT", "true"),
            List.of("CAPTURE TRUNCATE", "true"), List.of("CAPTURE UPDATE", "true"),
            List.of("GUARD", "true"));
    assertThat(h.rows("SELECT source_table, source_type FROM"
            + " pgtrickle.list_sources('public.department_stats')"))
        .containsExactly(List.of("public.department_tree", "STREAM_TABLE"),
            List.of("public.employees", "TABLE"));
    assertFails(() -> h.rows("SELECT * FROM pgtrickle.list_sources('nope')"), "42P01",
        "stream table nope does not exist");
    h.sql("DELETE FROM employees WHERE name = 'Ivan'");
  }

  @Test
  void diamondsAreGrouped() throws SQLException {
    h.create("left_side", "SELECT id FROM department_tree WHERE depth = 1", "refresh_mode", "FULL");
    h.create("right_side", "SELECT id FROM department_tree WHERE depth = 2",
        "refresh_mode", "FULL");
    h.create("combined", "SELECT id FROM left_side UNION ALL SELECT id FROM right_side",
        "refresh_mode", "FULL", "diamond_schedule_policy", "slowest");
    try {
      assertThat(h.rows("SELECT member_name, is_convergence::text, schedule_policy"
              + " FROM pgtrickle.diamond_groups()"))
          .containsExactly(
              List.of("public.department_tree", "false", "slowest"),
              List.of("public.left_side", "false", "slowest"),
              List.of("public.right_side", "false", "slowest"),
              List.of("public.combined", "true", "slowest"));
    } finally {
      h.drop("left_side", true);
      h.drop("right_side", true);
    }
  }

  @Test
  void lifecycleFunctionsOutsideTheDriverExplainWhatToDo() {
    assertFails(() -> h.sql("SELECT pgtrickle.create_stream_table('x', 'SELECT 1')"), "0A000",
        "pgtrickle.create_stream_table must be called through the Trickle JDBC driver"
            + " (jdbc:trickle:postgresql://...)");
    assertFails(() -> h.sql("SELECT pgtrickle.refresh_stream_table('department_tree')"), "0A000",
        "pgtrickle.refresh_stream_table must be called through the Trickle JDBC driver");
    assertFails(() -> h.sql("SELECT pgtrickle.drop_stream_table('x', cascade => true)"), "0A000",
        "pgtrickle.drop_stream_table must be called");
    assertFails(() -> h.sql("SELECT pgtrickle.alter_stream_table('x', schedule => '1m')"),
        "0A000", "pgtrickle.alter_stream_table must be called");
  }

  private static void assertColumns(Connection conn, String sql, String... names)
      throws SQLException {
    assertColumns(conn, sql, List.of(names));
  }

  private static void assertColumns(Connection conn, String sql, List<String> names)
      throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      ResultSetMetaData md = rs.getMetaData();
      List<String> actual = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        actual.add(md.getColumnName(i));
      }
      assertThat(actual).as(sql).containsExactlyElementsOf(names);
    }
  }
}
