package dev.trickle.scheduler;

import dev.trickle.catalog.DriverSettings;
import dev.trickle.compile.IvmMaintenanceCompiler;
import dev.trickle.jdbc.TrickleProperty;
import dev.trickle.refresh.CompilationCache;
import dev.trickle.refresh.RefreshEngine;
import dev.trickle.rewriter.scan.StatementSplitter;
import dev.trickle.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Helpers for scheduler tests: the seed's chain, queries, and the test database's scheduler. */
final class SchedulerHarness {
  private SchedulerHarness() {}

  /** The scheduler key of the test database. */
  static String key(TestDatabase db) throws SQLException {
    return SchedulerTarget.of(db.plainUrl(), db.appCredentials(), DriverSettings.NONE).key();
  }

  /** Starts the test database's scheduler in this JVM with these {@code trickle.*} settings. */
  static RefreshScheduler start(TestDatabase db, String... settings) throws SQLException {
    Properties trickle = new Properties();
    for (int i = 0; i < settings.length; i += 2) {
      trickle.setProperty(settings[i], settings[i + 1]);
    }
    return Schedulers.start(
        SchedulerTarget.of(db.plainUrl(), db.appCredentials(), TrickleProperty.read(trickle)),
        engine());
  }

  /** A refresh engine over the delta compiler, built as the driver builds its one engine. */
  static RefreshEngine engine() {
    return new RefreshEngine(new CompilationCache(new IvmMaintenanceCompiler()));
  }

  /** Stops the test database's scheduler in this JVM, if one runs. */
  static void stop(TestDatabase db) throws SQLException {
    Schedulers.running(key(db)).ifPresent(s -> s.stop(Duration.ofSeconds(10)));
  }

  /** Properties that keep a Trickle connection from starting a scheduler. */
  static Properties noScheduler() {
    Properties p = new Properties();
    p.setProperty("trickle.scheduler", "false");
    return p;
  }

  /**
   * Runs docs/getting-started.sql up to step 4 (base tables, department_tree, department_stats,
   * department_report) with only department_report scheduled, every {@code reportSchedule}.
   */
  static void createSeedChain(Connection c, String reportSchedule) throws Exception {
    String script = Files.readString(Path.of("..", "docs", "getting-started.sql"));
    String steps = script.substring(0, script.indexOf("-- Step 4a"));
    int tree = steps.indexOf("schedule => '1m'");
    steps = steps.substring(0, tree) + "schedule => 'calculated'" + steps.substring(tree + 16);
    steps = steps.replace("schedule => '1m'", "schedule => '" + reportSchedule + "'");
    try (Statement st = c.createStatement()) {
      for (String sql : StatementSplitter.split(steps)) {
        st.execute(sql);
      }
    }
  }

  /** The rows of a query, each as strings. */
  static List<List<String>> rows(Connection c, String sql) throws SQLException {
    List<List<String>> rows = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= columns; i++) {
          row.add(rs.getString(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** The single value of a query, as a string (null for no row). */
  static String value(Connection c, String sql) throws SQLException {
    List<List<String>> rows = rows(c, sql);
    return rows.isEmpty() ? null : rows.get(0).get(0);
  }

  /** Runs statements. */
  static void execute(Connection c, String... sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  /** True when the stream table's content equals its defining query's result (as multisets). */
  static boolean matchesQuery(Connection c, String name) throws SQLException {
    String query =
        value(
            c,
            "SELECT defining_query FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '"
                + name
                + "'");
    return "0".equals(
        value(
            c,
            "SELECT (SELECT count(*) FROM ((TABLE " + name + ") EXCEPT ALL (" + query + ")) a)"
                + " + (SELECT count(*) FROM ((" + query + ") EXCEPT ALL (TABLE " + name + ")) b)"));
  }
}
