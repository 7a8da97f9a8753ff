package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.rewriter.scan.StatementSplitter;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.ResultRows;
import dev.trickle.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Getting Started script (docs/getting-started.sql) runs verbatim through the driver, as the
 * non-superuser role, and its stream tables show what the tutorial says at each step.
 */
class GettingStartedTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void runsVerbatimAndEveryStepShowsTheTutorialsResults() throws Exception {
    String script = Files.readString(Path.of("..", "docs", "getting-started.sql"));
    List<String> statements = StatementSplitter.split(script);
    assertThat(statements).hasSizeGreaterThan(30);
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      for (String sql : statements) {
        if (sql.contains("drop_stream_table('live_headcount')")) {
          checkBeforeCleanup(st);
        }
        st.execute(sql);
        if (sql.startsWith("SELECT id, name, depth, path FROM department_tree WHERE name = 'DevOps'")) {
          assertThat(ResultRows.of(st.getResultSet()))
              .containsExactly(List.of("8", "DevOps", "2", "Company > Engineering > DevOps"));
        }
        if (sql.startsWith("SELECT name, path FROM department_tree WHERE path LIKE '%R&D%'")) {
          assertThat(ResultRows.of(st.getResultSet()))
              .containsExactlyInAnyOrder(
                  List.of("R&D", "Company > R&D"),
                  List.of("Backend", "Company > R&D > Backend"),
                  List.of("DevOps", "Company > R&D > DevOps"),
                  List.of("Frontend", "Company > R&D > Frontend"),
                  List.of("Platform", "Company > R&D > Platform"));
        }
        if (sql.startsWith("SELECT * FROM department_stats WHERE department_name = 'Backend'")) {
          List<List<String>> backend = ResultRows.of(st.getResultSet());
          assertThat(backend).hasSize(1);
          assertThat(backend.get(0).get(4)).isEqualTo("1");
          assertThat(new java.math.BigDecimal(backend.get(0).get(5)))
              .isEqualByComparingTo("120000");
        }
      }
      assertThat(count(st, "SELECT count(*) FROM pgtrickle.pgt_stream_tables")).isZero();
    }
  }

  private static void checkBeforeCleanup(Statement st) throws Exception {
    for (String name : List.of("department_tree", "department_stats", "department_report", "live_headcount")) {
      String query =
          single(st, "SELECT defining_query FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '" + name + "'");
      assertThat(
              count(
                  st,
                  "SELECT (SELECT count(*) FROM ((TABLE " + name + ") EXCEPT ALL (" + query + ")) a)"
                      + " + (SELECT count(*) FROM ((" + query + ") EXCEPT ALL (TABLE " + name + ")) b)"))
          .as("%s equals its defining query", name)
          .isZero();
    }
    for (String name : List.of("department_tree", "department_stats", "department_report")) {
      assertThat(
              single(
                  st,
                  "SELECT string_agg(DISTINCT h.action, ',') FROM pgtrickle.pgt_refresh_history h"
                      + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = '" + name + "'"
                      + " AND h.status = 'COMPLETED' AND h.action IN ('FULL', 'DIFFERENTIAL')"
                      + " AND h.reason IS DISTINCT FROM 'initial population'"))
          .as("%s refreshes differentially through steps 4a-4d", name)
          .isEqualTo("DIFFERENTIAL");
    }
    assertThat(
            single(
                st,
                "SELECT rows_inserted || '/' || rows_deleted FROM pgtrickle.pgt_refresh_history h"
                    + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = 'department_tree'"
                    + " AND h.action = 'DIFFERENTIAL' ORDER BY refresh_id DESC LIMIT 1"))
        .as("the rename rewrote R&D and its four descendants")
        .isEqualTo("5/5");
  }

  private static String single(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getString(1);
    }
  }

  private static long count(Statement st, String sql) throws Exception {
    return Long.parseLong(single(st, sql));
  }
}
