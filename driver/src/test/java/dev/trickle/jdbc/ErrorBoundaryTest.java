package dev.trickle.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.catalog.DriverSettings;
import dev.trickle.refresh.MaintenanceCompiler;
import dev.trickle.refresh.RefreshEngine;
import dev.trickle.service.StreamTableService;
import dev.trickle.testing.DatabaseSnapshot;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A defect deep inside Trickle (here a compiler that throws a NullPointerException from where the
 * delta compiler once threw one) reaches the application as an {@link SQLException} with SQLSTATE
 * XX000 naming the part that failed, with the exception as its cause; nothing is left behind and
 * the connection, and a transaction the application opened, stay usable.
 */
class ErrorBoundaryTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private Connection physical;
  private Connection c;
  private Connection observer;

  /** Throws as the delta compiler threw on a query block without FROM. */
  private static final MaintenanceCompiler CRASHING =
      (connection, definition) -> {
        NullPointerException crash = new NullPointerException("item is null");
        crash.setStackTrace(
            new StackTraceElement[] {
              new StackTraceElement("dev.trickle.ivm.BlockAnalyzer", "input", "BlockAnalyzer.java",
                  280)
            });
        throw crash;
      };

  @BeforeEach
  void connect() throws SQLException {
    physical = db.connectPlain();
    c = new TrickleConnection(
        physical,
        new StatementRouter(
            physical,
            new StreamTableService(CRASHING, new RefreshEngine(CRASHING)),
            DriverSettings.NONE));
    observer = db.connectPlain();
    sql(
        "CREATE EXTENSION IF NOT EXISTS pg_trickle",
        "DROP TABLE IF EXISTS src",
        "CREATE TABLE src (id int PRIMARY KEY, v int)",
        "INSERT INTO src VALUES (1, 10), (2, NULL)");
  }

  @AfterEach
  void close() throws SQLException {
    c.close();
    observer.close();
  }

  @Test
  void aCompilerCrashIsAnSqlExceptionXX000AndLeavesNothing() throws SQLException {
    List<String> before = DatabaseSnapshot.of(observer, "public");
    for (String create :
        List.of(
            "SELECT pgtrickle.create_stream_table('st', $$SELECT id, v FROM src$$,"
                + " refresh_mode => 'DIFFERENTIAL')",
            "CREATE STREAM TABLE st AS SELECT id, v FROM src")) {
      assertInternal(() -> sql(create));
      assertThat(value("SELECT 1")).isEqualTo("1");
      assertThat(DatabaseSnapshot.of(observer, "public")).isEqualTo(before);
    }
  }

  @Test
  void insideTheApplicationsTransactionTheCrashRollsBackToItsSavepoint() throws SQLException {
    List<String> before = DatabaseSnapshot.of(observer, "public");
    sql("BEGIN", "INSERT INTO src VALUES (3, 30)");
    assertInternal(() -> sql("CREATE STREAM TABLE st AS SELECT id, v FROM src"));
    sql("INSERT INTO src VALUES (4, 40)", "COMMIT");
    assertThat(value("SELECT string_agg(id::text, ',' ORDER BY id) FROM src")).isEqualTo("1,2,3,4");
    sql("DELETE FROM src WHERE id > 2");
    assertThat(DatabaseSnapshot.of(observer, "public")).isEqualTo(before);
  }

  @Test
  void preparedAndAlteredCommandsCrashTheSameWay() throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT pgtrickle.create_stream_table(?, ?, refresh_mode => ?)")) {
      ps.setString(1, "st");
      ps.setString(2, "SELECT id, v FROM src");
      ps.setString(3, "DIFFERENTIAL");
      assertInternal(ps::execute);
    }
    sql("SELECT pgtrickle.create_stream_table('st', $$SELECT id, v FROM src$$,"
        + " refresh_mode => 'FULL')");
    List<String> before = DatabaseSnapshot.of(observer, "public");
    assertInternal(() -> sql("ALTER STREAM TABLE st SET (refresh_mode = 'DIFFERENTIAL')"));
    assertThat(DatabaseSnapshot.of(observer, "public")).isEqualTo(before);
    sql("DROP STREAM TABLE st");
  }

  @Test
  void thePartIsNamedFromTheStack() {
    RuntimeException e = new IllegalStateException("x");
    e.setStackTrace(
        new StackTraceElement[] {
          new StackTraceElement("java.util.Objects", "requireNonNull", "Objects.java", 1),
          new StackTraceElement("dev.trickle.rewriter.command.TokenCursor", "next", "T.java", 1)
        });
    SQLException internal = ErrorBoundary.internal("SELECT 1", e);
    assertThat(internal.getSQLState()).isEqualTo("XX000");
    assertThat(internal.getMessage()).contains("statement recognizer").contains("SELECT 1");
    assertThat(internal.getCause()).isSameAs(e);
    assertThatThrownBy(() -> ErrorBoundary.internal("SELECT 1", new OutOfMemoryError("fatal")))
        .isInstanceOf(OutOfMemoryError.class);
  }

  private interface Action {
    void run() throws SQLException;
  }

  private static void assertInternal(Action action) {
    assertThatThrownBy(action::run)
        .isInstanceOfSatisfying(
            SQLException.class,
            e -> {
              assertThat(e.getSQLState()).isEqualTo("XX000");
              assertThat(e.getMessage())
                  .contains("internal error in Trickle's delta compiler")
                  .contains("NullPointerException");
              assertThat(e.getCause()).isInstanceOf(NullPointerException.class);
            });
  }

  private void sql(String... statements) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String statement : statements) {
        st.execute(statement);
      }
    }
  }

  private String value(String query) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
