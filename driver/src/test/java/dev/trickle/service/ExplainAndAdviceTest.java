package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** explain_st shows the plan from any client; a join key without an index draws a warning. */
class ExplainAndAdviceTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void debugPlanLogsThePlanAroundEveryPass() throws Exception {
    // the test binding (slf4j-simple) writes to whatever System.err is when a line is logged
    java.io.PrintStream stderr = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    java.util.Properties debug = new java.util.Properties();
    debug.setProperty("trickle.debug_plan", "true");
    try (Connection c = db.connect(debug);
        Statement st = c.createStatement()) {
      st.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      st.execute("CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY, kind text)");
      st.execute("CREATE STREAM TABLE kinds AS SELECT kind, count(*) AS n FROM items GROUP BY kind");
    } finally {
      System.setErr(stderr);
    }
    assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains("before analyze", "after analyze", "after classify: aggregate", "after plan");
  }

  @Test
  void explainShowsModeStrategyDeltaSqlSourcesAndFrontiers() throws Exception {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      st.execute("CREATE TABLE dept (id int PRIMARY KEY, name text)");
      st.execute("CREATE TABLE emp (id int PRIMARY KEY, dept_id int, salary int)");
      c.clearWarnings();
      st.execute("CREATE STREAM TABLE payroll AS SELECT d.name, sum(e.salary) AS total"
          + " FROM emp e JOIN dept d ON d.id = e.dept_id GROUP BY d.name");
      List<String> warnings = new ArrayList<>();
      for (SQLWarning w = c.getWarnings(); w != null; w = w.getNextWarning()) {
        warnings.add(w.getMessage());
      }
      assertThat(warnings)
          .anyMatch(w -> w.contains("public.emp.\"dept_id\"") && w.contains("CREATE INDEX ON public.emp (\"dept_id\")"))
          .noneMatch(w -> w.contains("public.dept.\"id\""));
    }
    try (Connection plain = db.connectPlain();
        Statement st = plain.createStatement();
        ResultSet rs = st.executeQuery("SELECT property, value FROM pgtrickle.explain_st('payroll')")) {
      List<String> properties = new ArrayList<>();
      String strategy = null;
      String deltaSql = null;
      while (rs.next()) {
        properties.add(rs.getString(1));
        if (rs.getString(1).equals("strategy")) {
          strategy = rs.getString(2);
        }
        if (rs.getString(1).equals("delta_sql")) {
          deltaSql = rs.getString(2);
        }
      }
      assertThat(properties).contains("refresh_mode", "strategy", "operator", "delta_sql", "source", "frontier");
      assertThat(strategy).contains("aggregate");
      assertThat(deltaSql).contains("MERGE INTO").contains("__pgt_delta_");
    }
  }
}
