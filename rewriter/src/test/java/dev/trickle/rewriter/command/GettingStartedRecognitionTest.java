package dev.trickle.rewriter.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.rewriter.command.TrickleCommand.AlterStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.CreateStreamTable;
import dev.trickle.rewriter.scan.StatementScanner;
import dev.trickle.rewriter.scan.StatementSplitter;
import dev.trickle.rewriter.scan.StatementSplitter.Statement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Splits the Getting Started script ({@code docs/getting-started.sql}, or the same statements
 * inline where the docs are not checked out) and checks which statements become commands, and which
 * commands.
 */
class GettingStartedRecognitionTest {
  private static final Path SCRIPT = Path.of("..", "docs", "getting-started.sql");

  private static final List<String> EXPECTED =
      List.of(
          "create_extension",
          "create_stream_table department_tree {schedule=1m} WITH RECURSIVE tree AS (",
          "create_stream_table department_stats {schedule=calculated} SELECT",
          "create_stream_table department_report {schedule=1m} SELECT",
          "refresh_stream_table department_stats",
          "refresh_stream_table department_report",
          "refresh_stream_table department_tree",
          "refresh_stream_table department_stats",
          "refresh_stream_table department_report",
          "refresh_stream_table department_tree",
          "refresh_stream_table department_stats",
          "refresh_stream_table department_report",
          "refresh_stream_table department_stats",
          "refresh_stream_table department_report",
          "create_stream_table live_headcount {refresh_mode=IMMEDIATE}"
              + " SELECT department_id, COUNT(*) AS headcount",
          "alter_stream_table department_stats {refresh_mode=IMMEDIATE}",
          "alter_stream_table department_stats {refresh_mode=DIFFERENTIAL, schedule=1m}",
          "drop_stream_table live_headcount",
          "drop_stream_table department_report",
          "drop_stream_table department_stats",
          "drop_stream_table department_tree");

  @Test
  void recognizesEveryApiStatementAndPassesTheRest() throws Exception {
    List<String> recognized = new ArrayList<>();
    for (Statement statement : StatementSplitter.splitWithPositions(script())) {
      Optional<TrickleCommand> command =
          CommandRecognizer.recognize(statement.sql(), ParameterValues.NONE);
      command.ifPresent(c -> recognized.add(summary(c)));
      if (command.isPresent()) {
        assertThat(StatementScanner.mayConcernTrickle(statement.sql()))
            .as("scanner flags line %d", statement.line())
            .isTrue();
        assertThat(command.get().form())
            .isEqualTo(
                command.get() instanceof TrickleCommand.CreateExtension
                    ? TrickleCommand.Form.DDL
                    : TrickleCommand.Form.FUNCTION_CALL);
      }
    }
    assertThat(recognized).containsExactlyElementsOf(EXPECTED);
  }

  @Test
  void keepsTheRecursiveQueryWhole() throws Exception {
    CreateStreamTable tree =
        StatementSplitter.split(script()).stream()
            .filter(sql -> sql.contains("'department_tree',"))
            .findFirst()
            .map(GettingStartedRecognitionTest::recognize)
            .map(CreateStreamTable.class::cast)
            .orElseThrow();
    assertThat(tree.query())
        .contains("-- Base case: root departments (no parent)")
        .contains("tree.path || ' > ' || d.name AS path")
        .endsWith("SELECT id, name, parent_id, path, depth FROM tree\n    ");
  }

  @Test
  void reportsTheLineOfEachStatement() throws Exception {
    List<Statement> statements = StatementSplitter.splitWithPositions(script());
    assertThat(statements.get(0)).isEqualTo(new Statement("CREATE EXTENSION pg_trickle", 4, 1));
    String[] lines = script().split("\n", -1);
    for (Statement statement : statements) {
      String firstLine = statement.sql().lines().findFirst().orElseThrow();
      assertThat(lines[statement.line() - 1].substring(statement.column() - 1))
          .startsWith(firstLine);
    }
  }

  private static TrickleCommand recognize(String sql) {
    try {
      return CommandRecognizer.recognize(sql, ParameterValues.NONE).orElseThrow();
    } catch (RecognitionException e) {
      throw new AssertionError(e);
    }
  }

  private static String summary(TrickleCommand command) {
    StringBuilder summary = new StringBuilder(command.functionName());
    String query = null;
    StreamTableOptions options = null;
    if (command instanceof CreateStreamTable create) {
      summary.append(' ').append(create.name());
      options = create.options();
      query = create.query();
    } else if (command instanceof AlterStreamTable alter) {
      summary.append(' ').append(alter.name());
      options = alter.options();
      query = alter.query();
    } else if (command instanceof TrickleCommand.DropStreamTable drop) {
      summary.append(' ').append(drop.name()).append(drop.cascade() ? " cascade" : "");
    } else if (command instanceof TrickleCommand.RefreshStreamTable refresh) {
      summary.append(' ').append(refresh.name());
    }
    if (options != null) {
      summary.append(' ').append(options);
    }
    if (query != null) {
      summary.append(' ').append(query.strip().lines().findFirst().orElseThrow().strip());
    }
    return summary.toString();
  }

  private static String script() throws IOException {
    return Files.exists(SCRIPT) ? Files.readString(SCRIPT) : INLINE_SCRIPT;
  }

  /** The Getting Started statements, for checkouts without {@code docs/getting-started.sql}. */
  private static final String INLINE_SCRIPT =
      String.join(
          "\n",
          "-- The Getting Started tutorial as one runnable script.",
          "-- (inline copy for the recognizer test)",
          "",
          "CREATE EXTENSION pg_trickle;",
          "",
          "CREATE TABLE departments (",
          "    id        SERIAL PRIMARY KEY,",
          "    name      TEXT NOT NULL,",
          "    parent_id INT REFERENCES departments(id)",
          ");",
          "INSERT INTO departments (id, name, parent_id) VALUES",
          "    (1, 'Company', NULL);",
          "",
          "-- Step 2: a recursive stream table",
          "SELECT pgtrickle.create_stream_table(",
          "    name     => 'department_tree',",
          "    query    => $$",
          "    WITH RECURSIVE tree AS (",
          "        -- Base case: root departments (no parent)",
          "        SELECT id, name, parent_id, name AS path, 0 AS depth",
          "        FROM departments",
          "        WHERE parent_id IS NULL",
          "",
          "        UNION ALL",
          "",
          "        -- Recursive step: children join back to the tree",
          "        SELECT d.id, d.name, d.parent_id,",
          "               tree.path || ' > ' || d.name AS path,",
          "               tree.depth + 1",
          "        FROM departments d",
          "        JOIN tree ON d.parent_id = tree.id",
          "    )",
          "    SELECT id, name, parent_id, path, depth FROM tree",
          "    $$,",
          "    schedule => '1m'",
          ");",
          "",
          "SELECT * FROM department_tree ORDER BY path;",
          "",
          "SELECT pgtrickle.create_stream_table(",
          "    name     => 'department_stats',",
          "    query    => $$",
          "    SELECT",
          "        t.id          AS department_id,",
          "        COUNT(e.id)                    AS headcount",
          "    FROM department_tree t",
          "    LEFT JOIN employees e ON e.department_id = t.id",
          "    GROUP BY t.id",
          "    $$,",
          "    schedule => 'calculated'  -- CALCULATED: inherit schedule from downstream",
          ");",
          "",
          "SELECT pgtrickle.create_stream_table(",
          "    name     => 'department_report',",
          "    query    => $$",
          "    SELECT",
          "        split_part(full_path, ' > ', 2) AS division",
          "    FROM department_stats",
          "    GROUP BY 1",
          "    $$,",
          "    schedule => '1m'  -- the only explicit schedule; CALCULATED tables above inherit it",
          ");",
          "",
          "INSERT INTO employees (name, department_id, salary) VALUES",
          "    ('Heidi', 6, 105000);  -- New Frontend engineer",
          "",
          "SELECT pgtrickle.refresh_stream_table('department_stats');",
          "SELECT pgtrickle.refresh_stream_table('department_report');",
          "",
          "SELECT pgtrickle.refresh_stream_table('department_tree');",
          "SELECT pgtrickle.refresh_stream_table('department_stats');",
          "SELECT pgtrickle.refresh_stream_table('department_report');",
          "",
          "UPDATE departments SET name = 'R&D' WHERE id = 2;",
          "",
          "SELECT pgtrickle.refresh_stream_table('department_tree');",
          "SELECT pgtrickle.refresh_stream_table('department_stats');",
          "SELECT pgtrickle.refresh_stream_table('department_report');",
          "",
          "DELETE FROM employees WHERE name = 'Bob';",
          "",
          "SELECT pgtrickle.refresh_stream_table('department_stats');",
          "SELECT pgtrickle.refresh_stream_table('department_report');",
          "",
          "-- Step 5: monitoring",
          "SELECT name, status, refresh_mode, schedule, data_timestamp, staleness",
          "FROM pgtrickle.pgt_status();",
          "",
          "SELECT pgt_name, total_refreshes, avg_duration_ms, successful_refreshes",
          "FROM pgtrickle.pg_stat_stream_tables;",
          "",
          "SELECT check_name, severity, detail FROM pgtrickle.health_check();",
          "SELECT * FROM pgtrickle.dependency_tree();",
          "SELECT * FROM pgtrickle.refresh_timeline(10);",
          "SELECT * FROM pgtrickle.change_buffer_sizes();",
          "SELECT * FROM pgtrickle.worker_pool_status();",
          "SELECT * FROM pgtrickle.parallel_job_status(60);",
          "",
          "-- Step 6: IMMEDIATE mode",
          "SELECT pgtrickle.create_stream_table(",
          "    name         => 'live_headcount',",
          "    query        => $$",
          "        SELECT department_id, COUNT(*) AS headcount",
          "        FROM employees",
          "        GROUP BY department_id",
          "    $$,",
          "    refresh_mode => 'IMMEDIATE'",
          ");",
          "",
          "SELECT pgtrickle.alter_stream_table('department_stats', refresh_mode => 'IMMEDIATE');",
          "SELECT pgtrickle.alter_stream_table('department_stats',",
          "    refresh_mode => 'DIFFERENTIAL', schedule => '1m');",
          "",
          "-- Step 7: clean up",
          "SELECT pgtrickle.drop_stream_table('live_headcount');",
          "SELECT pgtrickle.drop_stream_table('department_report');",
          "SELECT pgtrickle.drop_stream_table('department_stats');",
          "SELECT pgtrickle.drop_stream_table('department_tree');",
          "DROP TABLE employees;",
          "DROP TABLE departments;",
          "",
          "-- Deployment: idempotent migrations",
          "-- SELECT pgtrickle.create_or_replace_stream_table(",
          "--     name => 'employee_salaries',",
          "--     schedule => '2m');",
          "");
}
