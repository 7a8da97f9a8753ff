package dev.trickle.rewriter.command;

import static dev.trickle.rewriter.command.Recognition.command;
import static dev.trickle.rewriter.command.Recognition.options;
import static dev.trickle.rewriter.command.Recognition.passesThrough;
import static dev.trickle.rewriter.command.Recognition.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.rewriter.command.TrickleCommand.AlterStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.CreateMode;
import dev.trickle.rewriter.command.TrickleCommand.CreateStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.DropStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.Form;
import dev.trickle.rewriter.command.TrickleCommand.RefreshStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.ResumeStreamTable;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FunctionCallRecognitionTest {

  private static final CreateStreamTable SIMPLE_CREATE =
      new CreateStreamTable(
          Form.FUNCTION_CALL,
          CreateMode.CREATE,
          "t",
          "SELECT 1",
          options("schedule", "1m", "refresh_mode", "FULL"));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT pgtrickle.create_stream_table('t', 'SELECT 1', '1m', 'FULL')",
        "SELECT pgtrickle.create_stream_table('t', 'SELECT 1', '1m', 'FULL');",
        "  select PGTRICKLE.Create_Stream_Table('t','SELECT 1','1m','FULL') ; ",
        "SELECT * FROM pgtrickle.create_stream_table('t', 'SELECT 1', '1m', 'FULL')",
        "SELECT \"pgtrickle\".\"create_stream_table\"('t', 'SELECT 1', '1m', 'FULL')",
        "SELECT pgtrickle.create_stream_table(name => 't', query => 'SELECT 1',"
            + " schedule => '1m', refresh_mode => 'FULL')",
        "SELECT pgtrickle.create_stream_table(refresh_mode => 'FULL', schedule => '1m',"
            + " query => 'SELECT 1', name => 't')",
        "SELECT pgtrickle.create_stream_table(name := 't', query := 'SELECT 1',"
            + " schedule := '1m', refresh_mode := 'FULL')",
        "SELECT pgtrickle.create_stream_table('t', 'SELECT 1', refresh_mode => 'FULL',"
            + " schedule => '1m')",
        "SELECT pgtrickle.create_stream_table(NAME => 't', \"query\" => 'SELECT 1',"
            + " Schedule => '1m', refresh_mode => 'FULL')",
        "SELECT pgtrickle.create_stream_table($$t$$, $q$SELECT 1$q$, E'1m', $_$FULL$_$)",
        "/* lead */ SELECT -- c\n pgtrickle /* c */ . /* c */ create_stream_table /* c */ (\n"
            + " -- first\n 't' /* a */, 'SELECT 1' -- b\n, '1m'::text, 'FULL'::pg_catalog.text"
            + " -- last\n ) -- trail",
        "SELECT pgtrickle.create_stream_table('t'::text, 'SELECT 1'::varchar(10),"
            + " '1m'::interval, 'FULL'::text[])",
      })
  void recognizesCreateInEverySpelling(String sql) throws Exception {
    assertThat(command(sql)).isEqualTo(SIMPLE_CREATE);
  }

  @Test
  void keepsQuotedContentIntact() throws Exception {
    String query = "SELECT ')', ',', ';', '=>', $x$ $$ $x$ /* c */ -- d\n FROM t";
    CreateStreamTable create =
        (CreateStreamTable)
            command(
                "SELECT pgtrickle.create_stream_table(name => '\"it''s\"', query => $body$"
                    + query
                    + "$body$, schedule => E'a\\'b')");
    assertThat(create.name()).isEqualTo("\"it's\"");
    assertThat(create.query()).isEqualTo(query);
    assertThat(create.options()).isEqualTo(options("schedule", "a'b"));
  }

  @Test
  void keepsQuotedQueryWithDoubledQuotes() throws Exception {
    CreateStreamTable create =
        (CreateStreamTable)
            command("SELECT pgtrickle.create_stream_table('t', 'SELECT ''a;b'' AS x -- )', '5m')");
    assertThat(create.query()).isEqualTo("SELECT 'a;b' AS x -- )");
  }

  @Test
  void recognizesEveryCreateMode() throws Exception {
    assertThat(command("SELECT pgtrickle.create_stream_table_if_not_exists('t', 'SELECT 1')"))
        .isEqualTo(
            new CreateStreamTable(
                Form.FUNCTION_CALL,
                CreateMode.IF_NOT_EXISTS,
                "t",
                "SELECT 1",
                StreamTableOptions.empty()));
    CreateStreamTable replace =
        (CreateStreamTable)
            command("SELECT pgtrickle.create_or_replace_stream_table('t', 'SELECT 1')");
    assertThat(replace.mode()).isEqualTo(CreateMode.OR_REPLACE);
    assertThat(replace.functionName()).isEqualTo("create_or_replace_stream_table");
  }

  @Test
  void readsEveryCreateParameterPositionally() throws Exception {
    CreateStreamTable create =
        (CreateStreamTable)
            command(
                "SELECT pgtrickle.create_stream_table('s.t', 'SELECT 1', '1m', 'DIFFERENTIAL',"
                    + " false, 'none', 'slowest', 'wal')");
    assertThat(create.name()).isEqualTo("s.t");
    assertThat(create.options())
        .isEqualTo(
            options(
                "schedule", "1m",
                "refresh_mode", "DIFFERENTIAL",
                "initialize", "false",
                "diamond_consistency", "none",
                "diamond_schedule_policy", "slowest",
                "cdc_mode", "wal"));
  }

  @Test
  void mapsNullToAnOptionWithoutValue() throws Exception {
    CreateStreamTable create =
        (CreateStreamTable)
            command("SELECT pgtrickle.create_stream_table('t', 'SELECT 1', schedule => NULL)");
    assertThat(create.options().isGiven("schedule")).isTrue();
    assertThat(create.options().get("schedule")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"true", "TRUE", "'true'", "'TRUE'", "'true'::boolean", "True"})
  void normalizesBooleanInitialize(String value) throws Exception {
    CreateStreamTable create =
        (CreateStreamTable)
            command(
                "SELECT pgtrickle.create_stream_table('t', 'SELECT 1', initialize => "
                    + value
                    + ")");
    assertThat(create.options()).isEqualTo(options("initialize", "true"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"'yes'", "1", "NULL", "'maybe'", "''"})
  void refusesNonBooleanInitialize(String value) {
    assertThat(
            refusal(
                    "SELECT pgtrickle.create_stream_table('t', 'SELECT 1', initialize => "
                        + value
                        + ")",
                    RecognitionException.INVALID_PARAMETER_VALUE)
                .getMessage())
        .startsWith("invalid value for initialize: ");
  }

  @Test
  void keepsNumbersAsWritten() throws Exception {
    CreateStreamTable create =
        (CreateStreamTable)
            command("SELECT pgtrickle.create_stream_table('t', 'SELECT 1', schedule => 90)");
    assertThat(create.options().get("schedule")).contains("90");
    AlterStreamTable alter =
        (AlterStreamTable) command("SELECT pgtrickle.alter_stream_table('t', schedule => -1.5)");
    assertThat(alter.options().get("schedule")).contains("-1.5");
  }

  @Test
  void recognizesAlter() throws Exception {
    assertThat(
            command(
                "SELECT pgtrickle.alter_stream_table('department_stats', refresh_mode =>"
                    + " 'IMMEDIATE')"))
        .isEqualTo(
            new AlterStreamTable(
                Form.FUNCTION_CALL,
                "department_stats",
                null,
                options("refresh_mode", "IMMEDIATE")));
    assertThat(
            command(
                "SELECT pgtrickle.alter_stream_table('t', $$SELECT 2$$, NULL, NULL, 'SUSPENDED',"
                    + " 'atomic', 'fastest', 'trigger')"))
        .isEqualTo(
            new AlterStreamTable(
                Form.FUNCTION_CALL,
                "t",
                "SELECT 2",
                options(
                    "schedule", null,
                    "refresh_mode", null,
                    "status", "SUSPENDED",
                    "diamond_consistency", "atomic",
                    "diamond_schedule_policy", "fastest",
                    "cdc_mode", "trigger")));
    assertThat(command("SELECT pgtrickle.alter_stream_table(name => 't', query => NULL)"))
        .isEqualTo(new AlterStreamTable(Form.FUNCTION_CALL, "t", null, StreamTableOptions.empty()));
  }

  @Test
  void recognizesDrop() throws Exception {
    assertThat(command("SELECT pgtrickle.drop_stream_table('t')"))
        .isEqualTo(new DropStreamTable(Form.FUNCTION_CALL, "t", false, false));
    assertThat(command("SELECT pgtrickle.drop_stream_table('t', true)"))
        .isEqualTo(new DropStreamTable(Form.FUNCTION_CALL, "t", false, true));
    assertThat(command("SELECT pgtrickle.drop_stream_table(cascade => 'false', name => 't')"))
        .isEqualTo(new DropStreamTable(Form.FUNCTION_CALL, "t", false, false));
    assertThat(command("SELECT * FROM pgtrickle.drop_stream_table('t', cascade => TRUE);"))
        .isEqualTo(new DropStreamTable(Form.FUNCTION_CALL, "t", false, true));
  }

  @ParameterizedTest
  @ValueSource(strings = {"'yes'", "1", "NULL", "'cascade'"})
  void refusesNonBooleanCascade(String value) {
    RecognitionException e =
        refusal(
            "SELECT pgtrickle.drop_stream_table('t', " + value + ")",
            RecognitionException.INVALID_PARAMETER_VALUE);
    assertThat(e.getMessage()).startsWith("invalid value for cascade: ");
  }

  @Test
  void recognizesRefreshAndResume() throws Exception {
    assertThat(command("SELECT pgtrickle.refresh_stream_table('department_stats');"))
        .isEqualTo(new RefreshStreamTable(Form.FUNCTION_CALL, "department_stats"));
    assertThat(command("select pgtrickle.refresh_stream_table(name => '\"My Schema\".\"T\"')"))
        .isEqualTo(new RefreshStreamTable(Form.FUNCTION_CALL, "\"My Schema\".\"T\""));
    assertThat(command("SELECT * FROM pgtrickle.resume_stream_table('public.t')"))
        .isEqualTo(new ResumeStreamTable(Form.FUNCTION_CALL, "public.t"));
  }

  @Test
  void keepsNamesAsWritten() throws Exception {
    for (String name : List.of("Ünïcode", "\"Odd \"\"Name\"\"\"", "  spaced . name ", "UPPER")) {
      assertThat(
              ((RefreshStreamTable)
                      command("SELECT pgtrickle.refresh_stream_table(" + quote(name) + ")"))
                  .name())
          .isEqualTo(name);
    }
  }

  @Test
  void bindsPlaceholdersInOrderOfAppearance() throws Exception {
    List<String> bound = List.of("t", "SELECT ?", "5m");
    ParameterValues params = index -> bound.get(index - 1);
    assertThat(
            command(
                "SELECT pgtrickle.create_stream_table(? /* ? */, ?, schedule => ?::text)", params))
        .isEqualTo(
            new CreateStreamTable(
                Form.FUNCTION_CALL, CreateMode.CREATE, "t", "SELECT ?", options("schedule", "5m")));
    assertThat(command("SELECT pgtrickle.alter_stream_table($1, schedule => $3)", params))
        .isEqualTo(new AlterStreamTable(Form.FUNCTION_CALL, "t", null, options("schedule", "5m")));
  }

  @Test
  void bindsNullPlaceholders() throws Exception {
    ParameterValues params = index -> index == 1 ? "t" : null;
    assertThat(command("SELECT pgtrickle.alter_stream_table(?, schedule => ?)", params))
        .isEqualTo(new AlterStreamTable(Form.FUNCTION_CALL, "t", null, options("schedule", null)));
  }

  @Test
  void refusesUnboundPlaceholders() {
    assertThat(
            refusal(
                    "SELECT pgtrickle.refresh_stream_table(?)",
                    RecognitionException.INVALID_PARAMETER_VALUE)
                .getMessage())
        .contains("parameter 1");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT * FROM pgtrickle.pgt_status()",
        "SELECT name, status FROM pgtrickle.pgt_status() WHERE name = 'create_stream_table'",
        "SELECT * FROM pgtrickle.refresh_timeline(10)",
        "SELECT * FROM pgtrickle.pg_stat_stream_tables",
        "SELECT pgtrickle.explain_st('t')",
        "SELECT create_stream_table('t', 'SELECT 1')",
        "SELECT other.create_stream_table('t', 'SELECT 1')",
        "SELECT pgtrickle.create_stream_table",
        "SELECT 'pgtrickle.create_stream_table(1)'",
        "SELECT 1",
        "INSERT INTO pgtrickle_log VALUES ('pgtrickle.create_stream_table')",
        "COMMENT ON FUNCTION pgtrickle.refresh_stream_table(text) IS 'x'",
        "",
        ";",
        "-- only a comment",
      })
  void passesOtherStatementsThrough(String sql) throws Exception {
    assertThat(passesThrough(sql)).as(sql).isTrue();
  }

  @Test
  void refusesUnknownParametersListingTheValidOnes() {
    RecognitionException e =
        refusal(
            "SELECT pgtrickle.create_stream_table('t', 'SELECT 1', scheduel => '1m')",
            RecognitionException.INVALID_PARAMETER_VALUE);
    assertThat(e.getMessage())
        .contains("pgtrickle.create_stream_table", "\"scheduel\"")
        .contains(
            "name, query, schedule, refresh_mode, initialize, diamond_consistency,"
                + " diamond_schedule_policy, cdc_mode");
    assertThat(
            refusal(
                    "SELECT pgtrickle.alter_stream_table('t', initialize => false)",
                    RecognitionException.INVALID_PARAMETER_VALUE)
                .getMessage())
        .contains("pgtrickle.alter_stream_table", "\"initialize\"", "status");
    assertThat(
            refusal(
                    "SELECT pgtrickle.refresh_stream_table('t', cascade => true)",
                    RecognitionException.INVALID_PARAMETER_VALUE)
                .getMessage())
        .contains("pgtrickle.refresh_stream_table", "\"cascade\"", "are name");
  }

  @Test
  void refusesDuplicateParameters() {
    assertThat(
            refusal(
                    "SELECT pgtrickle.create_stream_table('t', 'SELECT 1', name => 'u')",
                    RecognitionException.INVALID_PARAMETER_VALUE)
                .getMessage())
        .contains("\"name\"", "more than once");
    refusal(
        "SELECT pgtrickle.create_stream_table(name => 't', query => 'x', Name => 'u')",
        RecognitionException.INVALID_PARAMETER_VALUE);
  }

  @Test
  void refusesMissingRequiredParameters() {
    assertThat(
            refusal(
                    "SELECT pgtrickle.create_stream_table(name => 't')",
                    RecognitionException.INVALID_PARAMETER_VALUE)
                .getMessage())
        .contains("\"query\"", "missing");
    assertThat(
            refusal(
                    "SELECT pgtrickle.create_stream_table(query => 'SELECT 1')",
                    RecognitionException.INVALID_PARAMETER_VALUE)
                .getMessage())
        .contains("\"name\"", "missing");
    refusal(
        "SELECT pgtrickle.refresh_stream_table()", RecognitionException.INVALID_PARAMETER_VALUE);
    refusal(
        "SELECT pgtrickle.drop_stream_table(NULL)", RecognitionException.INVALID_PARAMETER_VALUE);
    refusal(
        "SELECT pgtrickle.create_stream_table('t', NULL)",
        RecognitionException.INVALID_PARAMETER_VALUE);
    refusal(
        "SELECT pgtrickle.create_stream_table('t', '  ')",
        RecognitionException.INVALID_PARAMETER_VALUE);
  }

  @Test
  void refusesTooManyPositionalArguments() {
    assertThat(
            refusal(
                    "SELECT pgtrickle.refresh_stream_table('t', 'u')",
                    RecognitionException.INVALID_PARAMETER_VALUE)
                .getMessage())
        .contains("at most 1");
  }

  @Test
  void refusesInvalidNames() {
    refusal("SELECT pgtrickle.refresh_stream_table('a.b.c')", RecognitionException.INVALID_NAME);
    refusal(
        "SELECT pgtrickle.refresh_stream_table('\"unterminated')",
        RecognitionException.INVALID_NAME);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT pgtrickle.create_stream_table('t', 'SELECT ' || 'x')",
        "SELECT pgtrickle.create_stream_table('t', format('SELECT %s', 1))",
        "SELECT pgtrickle.create_stream_table('t', (SELECT q FROM queries))",
        "SELECT pgtrickle.refresh_stream_table(current_schema)",
        "SELECT pgtrickle.refresh_stream_table(name => t.name) FROM t",
        "SELECT pgtrickle.alter_stream_table('t', schedule => interval '5 minutes')",
        "SELECT pgtrickle.alter_stream_table('t', schedule => '5m'::text || 'x')",
        "SELECT pgtrickle.alter_stream_table('t', schedule => ARRAY['x'])",
        "SELECT pgtrickle.alter_stream_table('t', schedule => '5' 'm')",
        "SELECT pgtrickle.alter_stream_table('t', schedule => '5'\n'm')",
        "SELECT pgtrickle.alter_stream_table('t', schedule => U&'5m')",
        "SELECT pgtrickle.alter_stream_table('t', schedule => -'5m')",
      })
  void refusesExpressionArguments(String sql) {
    assertThat(refusal(sql, RecognitionException.FEATURE_NOT_SUPPORTED).getMessage())
        .contains("must be literals or parameters");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT pgtrickle.refresh_stream_table('t') AS result",
        "SELECT pgtrickle.refresh_stream_table('t'), 1",
        "SELECT * FROM pgtrickle.refresh_stream_table('t') r",
        "SELECT count(*) FROM t WHERE pgtrickle.refresh_stream_table(t.name) IS NULL",
        "SELECT x, pgtrickle.drop_stream_table(x) FROM t",
        "WITH x AS (SELECT pgtrickle.drop_stream_table('t')) SELECT * FROM x",
        "SELECT pgtrickle.refresh_stream_table('a'); SELECT pgtrickle.refresh_stream_table('b')",
        "SELECT 1; SELECT pgtrickle.refresh_stream_table('b');",
      })
  void refusesLifecycleCallsInsideLargerStatements(String sql) {
    refusal(sql, RecognitionException.FEATURE_NOT_SUPPORTED);
  }

  @Test
  void passesSeveralOrdinaryStatementsThrough() throws Exception {
    assertThat(passesThrough("SELECT 1; SELECT * FROM pgtrickle.pgt_status()")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT pgtrickle.refresh_stream_table('t'",
        "SELECT pgtrickle.refresh_stream_table('t",
        "SELECT pgtrickle.create_stream_table('t', $$SELECT 1)",
        "SELECT pgtrickle.refresh_stream_table(,)",
        "SELECT pgtrickle.refresh_stream_table('t',)",
        "SELECT pgtrickle.refresh_stream_table(name =>)",
        "SELECT pgtrickle.create_stream_table(name => 't', 'SELECT 1')",
        "SELECT pgtrickle.refresh_stream_table('t'::)",
      })
  void refusesMalformedCalls(String sql) {
    RecognitionException e = refusal(sql, RecognitionException.SYNTAX_ERROR);
    assertThat(e.getMessage()).startsWith("pgtrickle.").contains("position");
  }

  @Test
  void pointsAtTheProblem() {
    assertThat(
            refusal(
                    "SELECT pgtrickle.create_stream_table(name => 't', 'SELECT 1')",
                    RecognitionException.SYNTAX_ERROR)
                .getMessage())
        .isEqualTo(
            "pgtrickle.create_stream_table: expected a named argument (a positional argument"
                + " cannot follow a named one) but found \"'SELECT 1'\" at position 51");
  }

  private static String quote(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
