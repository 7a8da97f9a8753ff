package dev.trickle.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.catalog.DriverSettings;
import dev.trickle.rewriter.command.StreamTableOptions;
import dev.trickle.rewriter.command.TrickleCommand;
import dev.trickle.rewriter.command.TrickleCommand.CreateMode;
import dev.trickle.rewriter.command.TrickleCommand.Form;
import dev.trickle.service.CommandExecutor;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;

/** Stream-table statements reach the executor with the right command; others pass through. */
class StatementRouterTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private final RecordingExecutor executor = new RecordingExecutor();
  private Connection connection;

  @BeforeAll
  static void createObjects() throws SQLException {
    try (Connection c = db.connectPlain();
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE log (n int)");
      st.execute("CREATE SCHEMA pgtrickle");
      st.execute(
          "CREATE FUNCTION pgtrickle.pgt_status() RETURNS text LANGUAGE sql AS $$SELECT 'ok'$$");
    }
  }

  @BeforeEach
  void connect() throws SQLException {
    connection =
        new TrickleDriver(new org.postgresql.Driver(), TestEngine.standard(), executor)
            .connect(db.trickleUrl() + "?trickle.debug_plan=true", db.appCredentials());
    try (Statement st = connection.createStatement()) {
      st.execute("TRUNCATE log");
    }
  }

  @AfterEach
  void close() throws SQLException {
    connection.close();
  }

  @Test
  void functionCallReachesTheExecutorAndReturnsAVoidRow() throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SELECT pgtrickle.refresh_stream_table('x')")) {
      assertThat(executor.commands)
          .containsExactly(new TrickleCommand.RefreshStreamTable(Form.FUNCTION_CALL, "x"));
      assertThat(executor.connection)
          .as("the physical connection, never the wrapper")
          .isNotInstanceOf(TrickleConnection.class)
          .isSameAs(connection.unwrap(PGConnection.class));
      assertThat(executor.settings.debugPlan()).isTrue();

      assertThat(rs.getStatement()).isSameAs(st);
      assertThat(rs.getMetaData().getColumnCount()).isEqualTo(1);
      assertThat(rs.getMetaData().getColumnLabel(1)).isEqualTo("refresh_stream_table");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEmpty();
      assertThat(rs.next()).isFalse();
      assertThat(st.getUpdateCount()).isEqualTo(-1);
      assertThat(st.getMoreResults()).isFalse();
    }
  }

  @Test
  void functionCallResultLooksLikeARealVoidFunction() throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet ours = st.executeQuery("SELECT pgtrickle.refresh_stream_table('x')");
        Statement plain = connection.createStatement();
        ResultSet real = plain.executeQuery("SELECT pg_sleep(0) AS refresh_stream_table")) {
      ResultSetMetaData a = ours.getMetaData();
      ResultSetMetaData b = real.getMetaData();
      assertThat(a.getColumnTypeName(1)).isEqualTo(b.getColumnTypeName(1)).isEqualTo("void");
      assertThat(a.getColumnType(1)).isEqualTo(b.getColumnType(1));
      assertThat(ours.next()).isEqualTo(real.next()).isTrue();
      assertThat(ours.getObject(1)).isEqualTo(real.getObject(1));
      assertThat(ours.wasNull()).isEqualTo(real.wasNull()).isFalse();
    }
    assertThatThrownBy(
            () ->
                connection
                    .createStatement()
                    .executeUpdate("SELECT pgtrickle.refresh_stream_table('x')"))
        .as("executeUpdate refuses a row-returning call as PgJDBC does, after the command ran")
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("A result was returned when none was expected");
    assertThat(executor.commands).hasSize(2);
  }

  @Test
  void ddlFormGivesUpdateCountZeroAndNoResultSet() throws SQLException {
    try (Statement st = connection.createStatement()) {
      assertThat(st.execute("REFRESH STREAM TABLE x")).isFalse();
      assertThat(st.getUpdateCount()).isZero();
      assertThat(st.getResultSet()).isNull();
      assertThat(st.getMoreResults()).isFalse();
      assertThat(st.getUpdateCount()).isEqualTo(-1);
      assertThat(st.executeUpdate("DROP STREAM TABLE IF EXISTS s.x CASCADE")).isZero();
      assertThat(st.executeLargeUpdate("CREATE STREAM TABLE s.y AS SELECT n FROM log")).isZero();
    }
    assertThat(executor.commands)
        .containsExactly(
            new TrickleCommand.RefreshStreamTable(Form.DDL, "x"),
            new TrickleCommand.DropStreamTable(Form.DDL, "s.x", true, true),
            new TrickleCommand.CreateStreamTable(
                Form.DDL,
                CreateMode.CREATE,
                "s.y",
                "SELECT n FROM log",
                StreamTableOptions.empty()));
  }

  /**
   * A plain statement makes a command's result on the client: the server's last statement on the
   * connection is still the one before the command (the executor here runs nothing), and the
   * result methods answer as for a server result until the next execution.
   */
  @Test
  void aPlainStatementMakesTheCommandResultWithoutARoundTrip() throws SQLException {
    String pid = reconnectWithoutScheduler();
    try (Statement st = connection.createStatement();
        Connection observer = db.connectPlain();
        Statement watch = observer.createStatement()) {
      String before = "DO $$BEGIN RAISE WARNING 'before the command'; END$$";
      st.execute(before);
      assertThat((Object) st.getWarnings()).isNotNull();
      assertThat(st.execute("SELECT pgtrickle.refresh_stream_table('x')")).isTrue();
      assertThat((Object) st.getWarnings()).as("cleared, as by any execution").isNull();
      assertThat(single(watch, "SELECT query FROM pg_stat_activity WHERE pid = " + pid))
          .as("the last statement the server saw")
          .isEqualTo(before);
      ResultSet rs = st.getResultSet();
      assertThat(st.getResultSet()).isSameAs(rs);
      assertThat(rs.getStatement()).isSameAs(st);
      assertThat(st.getGeneratedKeys().next()).as("a command generates no keys").isFalse();
      assertThat(st.getMoreResults(Statement.KEEP_CURRENT_RESULT)).isFalse();
      assertThat(rs.isClosed()).as("kept").isFalse();
      assertThat(rs.next()).isTrue();
      assertThat(st.getResultSet()).isNull();
      assertThat(st.getUpdateCount()).isEqualTo(-1);
      assertThat(st.getLargeUpdateCount()).isEqualTo(-1);

      assertThat(st.execute("SELECT pgtrickle.refresh_stream_table('x')")).isTrue();
      ResultSet second = st.getResultSet();
      assertThat(st.getMoreResults()).isFalse();
      assertThat(second.isClosed()).as("closed by getMoreResults()").isTrue();

      assertThat(st.executeLargeUpdate("REFRESH STREAM TABLE x")).isZero();
      assertThat(st.getLargeUpdateCount()).isZero();
      assertThat(sqlState(() -> st.executeQuery("REFRESH STREAM TABLE x")))
          .as("executeQuery of a statement without rows, as PgJDBC refuses it").isEqualTo("02000");
      assertThat(sqlState(() -> st.executeLargeUpdate("SELECT pgtrickle.refresh_stream_table('x')")))
          .as("executeLargeUpdate of a row-returning call").isEqualTo("0100E");

      assertThat(single(st, "SELECT 'after'")).as("the delegate's result again").isEqualTo("after");
    }
    Statement closing = connection.createStatement();
    ResultSet last = closing.executeQuery("SELECT pgtrickle.refresh_stream_table('x')");
    closing.close();
    assertThat(last.isClosed()).as("closed with the statement").isTrue();
    assertThat(executor.commands).hasSize(6);
  }

  @Test
  void textThatOnlyMentionsTricklePassesThrough() throws SQLException {
    try (Statement st = connection.createStatement()) {
      assertThat(single(st, "SELECT 'pgtrickle'")).isEqualTo("pgtrickle");
      assertThat(single(st, "/* refresh the stream table */ SELECT 'a'")).isEqualTo("a");
      assertThat(single(st, "-- pgtrickle.refresh_stream_table('x')\nSELECT 'b'")).isEqualTo("b");
      assertThat(single(st, "SELECT $$CREATE STREAM TABLE x AS SELECT 1$$")).startsWith("CREATE");
      assertThat(single(st, "SELECT pgtrickle.pgt_status()")).isEqualTo("ok");
    }
    try (PreparedStatement ps = connection.prepareStatement("SELECT pgtrickle.pgt_status() || ?")) {
      ps.setString(1, "!");
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("ok!");
      }
    }
    assertThat(executor.commands).isEmpty();
  }

  @Test
  void scriptRunsInOrderAndTheLastResultIsCurrent() throws SQLException {
    executor.behaviour = (c, command, settings) -> insertCountOfLog(c);
    try (Statement st = connection.createStatement()) {
      assertThat(
              st.execute(
                  "INSERT INTO log VALUES (1); SELECT pgtrickle.refresh_stream_table('x');"
                      + " INSERT INTO log VALUES (3); REFRESH STREAM TABLE y;"
                      + " SELECT pgtrickle.refresh_stream_table('z')"))
          .isTrue();
      assertThat(st.getResultSet().getMetaData().getColumnLabel(1))
          .isEqualTo("refresh_stream_table");
      assertThat(single(st, "SELECT string_agg(n::text, ',' ORDER BY n) FROM log"))
          .isEqualTo("1,1,3,3,4");
      assertThat(single(st, "REFRESH STREAM TABLE w; SELECT count(*) FROM log")).isEqualTo("6");
    }
    assertThat(executor.commands).extracting(TrickleCommand::functionName).hasSize(4);
  }

  @Test
  void preparedCallRecordsValuesAndRecognizesThemAtExecution() throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT pgtrickle.create_stream_table(?, ?, schedule => ?, initialize => ?)")) {
      assertThat(ps.getParameterMetaData().getParameterCount()).isEqualTo(4);
      ps.setString(1, "s.t");
      ps.setString(2, "SELECT n FROM log");
      ps.setObject(3, "5m");
      ps.setBoolean(4, false);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.getStatement()).isSameAs(ps);
        assertThat(rs.getMetaData().getColumnLabel(1)).isEqualTo("create_stream_table");
        assertThat(rs.next()).isTrue();
        assertThat(rs.next()).isFalse();
      }
      ps.setString(1, "s.u");
      ps.setNull(3, Types.VARCHAR);
      assertThat(ps.execute()).isTrue();
    }
    assertThat(executor.commands)
        .containsExactly(
            new TrickleCommand.CreateStreamTable(
                Form.FUNCTION_CALL,
                CreateMode.CREATE,
                "s.t",
                "SELECT n FROM log",
                StreamTableOptions.of(Map.of("schedule", "5m", "initialize", "false"))),
            new TrickleCommand.CreateStreamTable(
                Form.FUNCTION_CALL,
                CreateMode.CREATE,
                "s.u",
                "SELECT n FROM log",
                StreamTableOptions.of(optionsWithNullSchedule())));
  }

  /**
   * A prepared command's result is made on the client too: the server's last statement is the one
   * before the executions, and the result methods answer as for a server result (its column type,
   * which PgJDBC looks up on the server once per connection, is compared with a real void result in
   * {@link #functionCallResultLooksLikeARealVoidFunction}).
   */
  @Test
  void aPreparedCommandMakesItsResultWithoutARoundTrip() throws SQLException {
    String pid = reconnectWithoutScheduler();
    try (PreparedStatement call =
            connection.prepareStatement("SELECT pgtrickle.refresh_stream_table(?)");
        PreparedStatement ddl = connection.prepareStatement("REFRESH STREAM TABLE x");
        Connection observer = db.connectPlain();
        Statement watch = observer.createStatement()) {
      single(connection.createStatement(), "SELECT 'before the commands'");
      call.setString(1, "x");
      try (ResultSet rs = call.executeQuery()) {
        assertThat(rs.getStatement()).isSameAs(call);
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEmpty();
      }
      assertThat(call.execute()).isTrue();
      assertThat(call.getResultSet().getMetaData().getColumnLabel(1))
          .isEqualTo("refresh_stream_table");
      assertThat(call.getUpdateCount()).isEqualTo(-1);
      assertThat(call.getMoreResults()).isFalse();
      assertThat(call.getResultSet()).isNull();
      assertThat(sqlState(call::executeUpdate)).as("a row-returning call").isEqualTo("0100E");
      assertThat(ddl.executeUpdate()).isZero();
      assertThat(ddl.execute()).isFalse();
      assertThat(ddl.getUpdateCount()).isZero();
      assertThat(ddl.getLargeUpdateCount()).isZero();
      assertThat(sqlState(ddl::executeQuery)).as("no rows to return").isEqualTo("02000");
      assertThat(single(watch, "SELECT query FROM pg_stat_activity WHERE pid = " + pid))
          .as("the last statement the server saw")
          .isEqualTo("SELECT 'before the commands'");
    }
    assertThat(executor.commands).as("every execution ran, the refused ones too").hasSize(6);
  }

  @Test
  void preparedCallRefusesMissingAndUnreadableValuesBeforeRunning() throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT pgtrickle.refresh_stream_table(?)")) {
      assertThat(sqlState(ps::execute)).isEqualTo("22023");
      ps.setBinaryStream(1, new ByteArrayInputStream(new byte[] {1}));
      assertThat(sqlState(ps::execute)).isEqualTo("0A000");
      ps.clearParameters();
      assertThat(sqlState(ps::execute)).isEqualTo("22023");
      ps.setObject(1, "t7");
      ps.execute();
    }
    assertThat(executor.commands)
        .containsExactly(new TrickleCommand.RefreshStreamTable(Form.FUNCTION_CALL, "t7"));
  }

  @Test
  void callableStatementRoutesLikeAPreparedOne() throws SQLException {
    try (CallableStatement cs =
        connection.prepareCall("SELECT pgtrickle.resume_stream_table(name => ?)")) {
      cs.setString(1, "x");
      assertThat(cs.execute()).isTrue();
      assertThat(cs.getResultSet().getMetaData().getColumnLabel(1))
          .isEqualTo("resume_stream_table");
      assertThat(cs.getResultSet().getStatement()).isSameAs(cs);
    }
    assertThat(executor.commands)
        .containsExactly(new TrickleCommand.ResumeStreamTable(Form.FUNCTION_CALL, "x"));
  }

  @Test
  void preparedDdlWithoutPlaceholdersRuns() throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("CREATE STREAM TABLE IF NOT EXISTS t AS SELECT n FROM log")) {
      assertThat(ps.executeUpdate()).isZero();
    }
    assertThat(executor.commands)
        .containsExactly(
            new TrickleCommand.CreateStreamTable(
                Form.DDL,
                CreateMode.IF_NOT_EXISTS,
                "t",
                "SELECT n FROM log",
                StreamTableOptions.empty()));
  }

  @Test
  void preparedTextsTrickleCannotHonourAreRefusedWhenPrepared() {
    assertThat(sqlState(() -> connection.prepareStatement("DROP STREAM TABLE t; SELECT 1")))
        .isEqualTo("0A000");
    assertThat(
            sqlState(() -> connection.prepareStatement("ALTER STREAM TABLE t SET (schedule = ?)")))
        .isEqualTo("0A000");
    assertThat(executor.commands).isEmpty();
  }

  @Test
  void batchesRefuseCommandsAndKeepOtherStatements() throws SQLException {
    try (Statement st = connection.createStatement()) {
      assertThat(sqlState(() -> st.addBatch("SELECT pgtrickle.refresh_stream_table('x')")))
          .isEqualTo("0A000");
      st.addBatch("INSERT INTO log VALUES (1) -- not a stream table");
      assertThat(st.executeBatch()).containsExactly(1);
    }
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT pgtrickle.refresh_stream_table(?)")) {
      ps.setString(1, "x");
      assertThat(sqlState(ps::addBatch)).isEqualTo("0A000");
    }
    assertThat(executor.commands).isEmpty();
  }

  @Test
  void autocommitOffReachesTheExecutorInsideTheTransaction() throws SQLException {
    executor.behaviour = (c, command, settings) -> insertCountOfLog(c);
    connection.setAutoCommit(false);
    try (Statement st = connection.createStatement()) {
      st.execute("INSERT INTO log VALUES (10)");
      st.execute("SELECT pgtrickle.refresh_stream_table('x')");
      assertThat(executor.autoCommit).isFalse();
      connection.rollback();
      assertThat(single(st, "SELECT count(*) FROM log")).isEqualTo("0");
      st.execute("REFRESH STREAM TABLE x");
      connection.commit();
      assertThat(single(st, "SELECT count(*) FROM log")).isEqualTo("1");
    }
  }

  @Test
  void errorsKeepTheirSqlStateAndStopTheWholeText() throws SQLException {
    executor.behaviour =
        (c, command, settings) -> {
          throw new SQLException("stream table x does not exist", "42P01");
        };
    try (Statement st = connection.createStatement()) {
      assertThat(sqlState(() -> st.execute("SELECT pgtrickle.refresh_stream_table('x')")))
          .isEqualTo("42P01");
      assertThat(
              sqlState(
                  () ->
                      st.execute(
                          "INSERT INTO log VALUES (1); SELECT pgtrickle.refresh_stream_table()")))
          .as("a malformed command is reported before any statement of the text runs")
          .isIn("22023", "42601");
      assertThat(sqlState(() -> st.execute("SELECT pgtrickle.refresh_stream_table(?)")))
          .as("a plain statement has no values for placeholders")
          .isEqualTo("22023");
      assertThat(single(st, "SELECT count(*) FROM log")).isEqualTo("0");
      st.close();
      assertThat(sqlState(() -> st.execute("REFRESH STREAM TABLE x"))).isEqualTo("55000");
    }
    assertThat(executor.commands).hasSize(1);
  }

  private static Map<String, String> optionsWithNullSchedule() {
    Map<String, String> options = new java.util.LinkedHashMap<>();
    options.put("schedule", null);
    options.put("initialize", "false");
    return options;
  }

  /**
   * Replaces the test's connection by one without a scheduler, so nothing but the statements under
   * test reaches the server (with one, each command is followed by a check whether to start it);
   * returns its server process id.
   */
  private String reconnectWithoutScheduler() throws SQLException {
    connection.close();
    connection =
        new TrickleDriver(new org.postgresql.Driver(), TestEngine.standard(), executor)
            .connect(db.trickleUrl() + "?trickle.scheduler=false", db.appCredentials());
    return single(connection.createStatement(), "SELECT pg_backend_pid()::text");
  }

  private static void insertCountOfLog(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("INSERT INTO log SELECT count(*) FROM log");
    }
  }

  private static String single(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  private static String sqlState(SqlAction action) {
    try {
      action.run();
    } catch (SQLException e) {
      return e.getSQLState();
    }
    throw new AssertionError("expected an SQLException");
  }

  @FunctionalInterface
  private interface SqlAction {
    void run() throws SQLException;
  }

  /** Records every command with the connection and settings it came with. */
  private static final class RecordingExecutor implements CommandExecutor {
    final List<TrickleCommand> commands = new ArrayList<>();
    Connection connection;
    DriverSettings settings;
    Boolean autoCommit;
    CommandExecutor behaviour = (c, command, s) -> {};

    @Override
    public void execute(Connection connection, TrickleCommand command, DriverSettings settings)
        throws SQLException {
      commands.add(command);
      this.connection = connection;
      this.settings = settings;
      this.autoCommit = connection.getAutoCommit();
      behaviour.execute(connection, command, settings);
    }
  }
}
