package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.compile.IvmMaintenanceCompiler;
import dev.trickle.jdbc.TrickleProperty;
import dev.trickle.refresh.CompilationCache;
import dev.trickle.refresh.MaintenanceCompiler;
import dev.trickle.refresh.RefreshEngine;
import dev.trickle.rewriter.command.StreamTableOptions;
import dev.trickle.rewriter.command.TrickleCommand;
import dev.trickle.rewriter.command.TrickleCommand.CreateMode;
import dev.trickle.rewriter.command.TrickleCommand.Form;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Runs stream-table commands through {@link StreamTableService} on a plain PgJDBC connection (the
 * way the driver's router will), plus small SQL helpers for assertions. A test usually starts with
 * {@link #installed} and ends with {@link #reset}, so each test of a class sees an empty database
 * with a fresh catalog.
 */
final class ServiceHarness {
  final Connection c;
  final Properties settings = new Properties();
  private final StreamTableService service;

  ServiceHarness(Connection c) {
    this(c, new CompilationCache(new IvmMaintenanceCompiler()));
  }

  ServiceHarness(Connection c, MaintenanceCompiler compiler) {
    this(c, new StreamTableService(compiler, new RefreshEngine(compiler)));
  }

  private ServiceHarness(Connection c, StreamTableService service) {
    this.c = c;
    this.service = service;
  }

  /** A harness on a new plain connection to {@code db} as its owner, with the catalog installed. */
  static ServiceHarness installed(TestDatabase db) throws SQLException {
    return installed(db, new CompilationCache(new IvmMaintenanceCompiler()));
  }

  /** Like {@link #installed(TestDatabase)}, with {@code compiler} for DIFFERENTIAL plans. */
  static ServiceHarness installed(TestDatabase db, MaintenanceCompiler compiler)
      throws SQLException {
    ServiceHarness h = new ServiceHarness(db.connectPlain(), compiler);
    h.createExtension();
    return h;
  }

  /**
   * Ends a test: rolls back a transaction it left open, removes the catalog with every stream
   * table, drops {@code tables} (with what depends on them) and closes the connection, so the next
   * test starts from an empty database.
   */
  void reset(String... tables) throws SQLException {
    if (!c.getAutoCommit()) {
      c.rollback();
      c.setAutoCommit(true);
    }
    run(new TrickleCommand.DropExtension(true, true));
    if (tables.length > 0) {
      sql("DROP TABLE IF EXISTS " + String.join(", ", tables) + " CASCADE");
    }
    c.close();
  }

  void run(TrickleCommand command) throws SQLException {
    service.execute(c, command, TrickleProperty.read(settings));
  }

  void createExtension() throws SQLException {
    run(new TrickleCommand.CreateExtension(true));
  }

  void create(String name, String query, String... options) throws SQLException {
    create(CreateMode.CREATE, name, query, options);
  }

  void create(CreateMode mode, String name, String query, String... options)
      throws SQLException {
    run(new TrickleCommand.CreateStreamTable(Form.FUNCTION_CALL, mode, name, query, opts(options)));
  }

  void alter(String name, String query, String... options) throws SQLException {
    run(new TrickleCommand.AlterStreamTable(Form.FUNCTION_CALL, name, query, opts(options)));
  }

  void drop(String name, boolean cascade) throws SQLException {
    run(new TrickleCommand.DropStreamTable(Form.FUNCTION_CALL, name, false, cascade));
  }

  void refresh(String name) throws SQLException {
    run(new TrickleCommand.RefreshStreamTable(Form.FUNCTION_CALL, name));
  }

  void resume(String name) throws SQLException {
    run(new TrickleCommand.ResumeStreamTable(Form.FUNCTION_CALL, name));
  }

  /** Options as alternating name, value (value may be null). */
  static StreamTableOptions opts(String... nameValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      map.put(nameValues[i], nameValues[i + 1]);
    }
    return StreamTableOptions.of(map);
  }

  void sql(String... statements) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String sql : statements) {
        st.execute(sql);
      }
    }
  }

  /** The rows of a query, each as a list of strings. */
  List<List<String>> rows(String query) throws SQLException {
    List<List<String>> rows = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
          row.add(rs.getString(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** The first column of the first row. */
  String value(String query) throws SQLException {
    List<List<String>> rows = rows(query);
    assertThat(rows).as(query).isNotEmpty();
    return rows.get(0).get(0);
  }

  long count(String query) throws SQLException {
    return Long.parseLong(value("SELECT count(*) FROM (" + query + ") q"));
  }

  /** Asserts the stream table holds exactly the query's result, as a multiset. */
  void assertMatches(String streamTable, String query) throws SQLException {
    long missing = count("(" + query + ") EXCEPT ALL SELECT * FROM " + streamTable);
    long extra = count("SELECT * FROM " + streamTable + " EXCEPT ALL (" + query + ")");
    assertThat(missing).as("rows of the query missing in " + streamTable).isZero();
    assertThat(extra).as("rows of " + streamTable + " not in the query").isZero();
  }

  /** The warnings recorded on the connection since the last call, as messages. */
  List<String> takeWarnings() throws SQLException {
    List<String> messages = new ArrayList<>();
    for (SQLWarning w = c.getWarnings(); w != null; w = w.getNextWarning()) {
      messages.add(w.getMessage());
    }
    c.clearWarnings();
    return messages;
  }
}
