package dev.trickle.rewriter.command;

import static dev.trickle.rewriter.command.Recognition.command;
import static dev.trickle.rewriter.command.Recognition.options;
import static dev.trickle.rewriter.command.Recognition.passesThrough;
import static dev.trickle.rewriter.command.Recognition.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.rewriter.command.TrickleCommand.AlterStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.CreateExtension;
import dev.trickle.rewriter.command.TrickleCommand.CreateMode;
import dev.trickle.rewriter.command.TrickleCommand.CreateStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.DropExtension;
import dev.trickle.rewriter.command.TrickleCommand.DropStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.Form;
import dev.trickle.rewriter.command.TrickleCommand.RefreshStreamTable;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DdlRecognitionTest {

  @Test
  void recognizesCreateWithOptions() throws Exception {
    assertThat(
            command(
                "CREATE STREAM TABLE department_stats WITH (schedule = '1m', refresh_mode ="
                    + " 'DIFFERENTIAL', initialize = false) AS SELECT d.id, count(*) FROM d"
                    + " GROUP BY d.id;"))
        .isEqualTo(
            new CreateStreamTable(
                Form.DDL,
                CreateMode.CREATE,
                "department_stats",
                "SELECT d.id, count(*) FROM d GROUP BY d.id",
                options("schedule", "1m", "refresh_mode", "DIFFERENTIAL", "initialize", "false")));
  }

  @Test
  void recognizesCreateWithoutOptions() throws Exception {
    assertThat(command("create stream table t as select 1"))
        .isEqualTo(
            new CreateStreamTable(
                Form.DDL, CreateMode.CREATE, "t", "select 1", StreamTableOptions.empty()));
  }

  @Test
  void recognizesCreateModes() throws Exception {
    assertThat(((CreateStreamTable) command("CREATE OR REPLACE STREAM TABLE t AS SELECT 1")).mode())
        .isEqualTo(CreateMode.OR_REPLACE);
    assertThat(
            ((CreateStreamTable) command("CREATE STREAM TABLE IF NOT EXISTS t AS SELECT 1")).mode())
        .isEqualTo(CreateMode.IF_NOT_EXISTS);
    refusal(
        "CREATE OR REPLACE STREAM TABLE IF NOT EXISTS t AS SELECT 1",
        RecognitionException.SYNTAX_ERROR);
  }

  @Test
  void keepsTheQueryVerbatim() throws Exception {
    String query =
        "WITH RECURSIVE tree AS (\n  -- base\n  SELECT id, 'a;b' AS s FROM t /* ; */\n"
            + "  UNION ALL SELECT $$;$$, E'\\';' FROM tree\n)\nSELECT * FROM tree";
    CreateStreamTable create =
        (CreateStreamTable)
            command("CREATE STREAM TABLE \"Tree\" AS\n  " + query + "\n;\n-- trailing\n");
    assertThat(create.query()).isEqualTo(query);
    assertThat(create.name()).isEqualTo("\"Tree\"");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "schedule = '5m'                     | schedule     | 5m",
        "schedule = 5m                       | schedule     | 5m",
        "schedule = 1h30m                    | schedule     | 1h30m",
        "schedule = 90                       | schedule     | 90",
        "schedule = calculated               | schedule     | calculated",
        "schedule = '*/5 * * * *'            | schedule     | */5 * * * *",
        "schedule = $$@hourly$$              | schedule     | @hourly",
        "refresh_mode = DIFFERENTIAL         | refresh_mode | DIFFERENTIAL",
        "refresh_mode = \"IMMEDIATE\"          | refresh_mode | IMMEDIATE",
        "REFRESH_MODE = E'FULL'              | refresh_mode | FULL",
        "initialize = TRUE                   | initialize   | true",
        "initialize = 'False'                | initialize   | false",
        "initialize                          | initialize   | true",
        "cdc_mode = trigger                  | cdc_mode     | trigger",
        "diamond_consistency = 'atomic'      | diamond_consistency | atomic",
        "diamond_schedule_policy = fastest   | diamond_schedule_policy | fastest",
      })
  void readsOptionValues(String option, String name, String value) throws Exception {
    CreateStreamTable create =
        (CreateStreamTable) command("CREATE STREAM TABLE t WITH (" + option + ") AS SELECT 1");
    assertThat(create.options()).isEqualTo(options(name, value));
  }

  @Test
  void bindsPlaceholdersInOptions() throws Exception {
    List<String> bound = List.of("5m", "FULL");
    CreateStreamTable create =
        (CreateStreamTable)
            command(
                "CREATE STREAM TABLE t WITH (schedule = ?, refresh_mode = ?) AS SELECT 1",
                index -> bound.get(index - 1));
    assertThat(create.options()).isEqualTo(options("schedule", "5m", "refresh_mode", "FULL"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "department_tree",
        "public.dept",
        "\"My Schema\".\"Odd \"\"Name\"\"\"",
        "Ünïcode",
        "UPPER.Cased",
        "\"with space\"",
        "s.\"t\"",
      })
  void keepsNamesAsWritten(String name) throws Exception {
    assertThat(((CreateStreamTable) command("CREATE STREAM TABLE " + name + " AS SELECT 1")).name())
        .isEqualTo(name);
    assertThat(((RefreshStreamTable) command("REFRESH STREAM TABLE " + name)).name())
        .isEqualTo(name);
    assertThat(((DropStreamTable) command("DROP STREAM TABLE " + name)).name()).isEqualTo(name);
    assertThat(
            ((AlterStreamTable) command("ALTER STREAM TABLE " + name + " SET (status = ACTIVE)"))
                .name())
        .isEqualTo(name);
  }

  @Test
  void recognizesAlter() throws Exception {
    assertThat(command("ALTER STREAM TABLE t SET (schedule = '1m', refresh_mode = 'FULL');"))
        .isEqualTo(
            new AlterStreamTable(
                Form.DDL, "t", null, options("schedule", "1m", "refresh_mode", "FULL")));
    assertThat(command("alter stream table s.t set (query = $$SELECT 2$$, status = 'SUSPENDED')"))
        .isEqualTo(
            new AlterStreamTable(Form.DDL, "s.t", "SELECT 2", options("status", "SUSPENDED")));
    assertThat(command("ALTER STREAM TABLE t SET (schedule = NULL)"))
        .isEqualTo(new AlterStreamTable(Form.DDL, "t", null, options("schedule", null)));
  }

  @Test
  void recognizesDrop() throws Exception {
    assertThat(command("DROP STREAM TABLE t"))
        .isEqualTo(new DropStreamTable(Form.DDL, "t", false, false));
    assertThat(command("drop stream table if exists s.t cascade;"))
        .isEqualTo(new DropStreamTable(Form.DDL, "s.t", true, true));
    assertThat(command("DROP STREAM TABLE t RESTRICT"))
        .isEqualTo(new DropStreamTable(Form.DDL, "t", false, false));
  }

  @Test
  void recognizesRefresh() throws Exception {
    assertThat(command("REFRESH STREAM TABLE department_stats;"))
        .isEqualTo(new RefreshStreamTable(Form.DDL, "department_stats"));
    assertThat(command("REFRESH /* now */ STREAM -- please\n TABLE t"))
        .isEqualTo(new RefreshStreamTable(Form.DDL, "t"));
  }

  @Test
  void recognizesCreateExtension() throws Exception {
    assertThat(command("CREATE EXTENSION pg_trickle;")).isEqualTo(new CreateExtension(false));
    assertThat(command("create extension if not exists PG_TRICKLE"))
        .isEqualTo(new CreateExtension(true));
    assertThat(
            command("CREATE EXTENSION \"pg_trickle\" WITH SCHEMA pgtrickle VERSION '0.1' CASCADE"))
        .isEqualTo(new CreateExtension(false));
    assertThat(command("CREATE EXTENSION pg_trickle VERSION \"1.0\" SCHEMA \"pgtrickle\""))
        .isEqualTo(new CreateExtension(false));
    assertThat(command("CREATE EXTENSION pg_trickle").form()).isEqualTo(Form.DDL);
  }

  @Test
  void refusesAnotherSchemaForTheExtension() {
    assertThat(
            refusal(
                    "CREATE EXTENSION pg_trickle SCHEMA public",
                    RecognitionException.FEATURE_NOT_SUPPORTED)
                .getMessage())
        .contains("pgtrickle", "\"public\"");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "CREATE EXTENSION pg_trickle SCHEMA",
        "CREATE EXTENSION pg_trickle VERSION",
        "CREATE EXTENSION pg_trickle CASCADE CASCADE",
        "CREATE EXTENSION pg_trickle FROM '0.1'",
        "CREATE EXTENSION pg_trickle WITH WITH",
      })
  void refusesMalformedCreateExtension(String sql) {
    assertThat(refusal(sql, RecognitionException.SYNTAX_ERROR).getMessage())
        .startsWith("CREATE EXTENSION pg_trickle: expected");
  }

  @Test
  void recognizesDropExtension() throws Exception {
    assertThat(command("DROP EXTENSION pg_trickle")).isEqualTo(new DropExtension(false, false));
    assertThat(command("drop extension if exists pg_trickle cascade;"))
        .isEqualTo(new DropExtension(true, true));
    assertThat(command("DROP EXTENSION \"pg_trickle\" RESTRICT"))
        .isEqualTo(new DropExtension(false, false));
  }

  @Test
  void refusesDroppingTheExtensionWithOthers() {
    assertThat(
            refusal(
                    "DROP EXTENSION hstore, pg_trickle, citext CASCADE",
                    RecognitionException.FEATURE_NOT_SUPPORTED)
                .getMessage())
        .contains("separately", "DROP EXTENSION hstore, citext");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "CREATE TABLE stream_table (id int)",
        "CREATE TABLE t AS SELECT 1",
        "CREATE OR REPLACE VIEW v AS SELECT 1",
        "CREATE STREAM t AS SELECT 1",
        "CREATE EXTENSION hstore",
        "CREATE EXTENSION IF NOT EXISTS pgtrickle",
        "DROP EXTENSION hstore, citext",
        "DROP TABLE t",
        "DROP STREAM t",
        "ALTER TABLE stream ADD COLUMN table int",
        "REFRESH MATERIALIZED VIEW mv",
        "INSERT INTO stream_table VALUES (1)",
        "UPDATE t SET stream = 'STREAM TABLE'",
        "EXPLAIN SELECT 1",
        "CREATE FUNCTION f() RETURNS int AS $$ CREATE STREAM TABLE x AS SELECT 1 $$ LANGUAGE sql",
      })
  void passesOtherDdlThrough(String sql) throws Exception {
    assertThat(passesThrough(sql)).as(sql).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "CREATE STREAM TABLE AS SELECT 1                   | the stream table name | 21",
        "CREATE STREAM TABLE t SELECT 1                    | AS                    | 23",
        "CREATE STREAM TABLE t AS                          | the defining query    | 25",
        "CREATE STREAM TABLE t WITH schedule = '1m' AS SELECT 1 | a parenthesized option list | 28",
        "CREATE STREAM TABLE t WITH () AS SELECT 1         | an option name        | 29",
        "CREATE STREAM TABLE t WITH (schedule '1m') AS SELECT 1 | a comma or a closing parenthesis"
            + " | 38",
        "CREATE STREAM TABLE t WITH (schedule = ) AS SELECT 1 | a value for schedule | 40",
        "CREATE STREAM TABLE t WITH (schedule = '1m' AS SELECT 1 | a comma or a closing parenthesis"
            + " | 45",
        "CREATE STREAM TABLE t WITH (schedule = '1m AS SELECT 1 | a value for schedule | 40",
        "CREATE STREAM TABLE IF EXISTS t AS SELECT 1       | NOT                   | 24",
        "CREATE STREAM TABLE s. AS SELECT 1                | a name after the dot  | 24",
        "CREATE STREAM TABLE t (a int) AS SELECT 1         | AS                    | 23",
        "ALTER STREAM TABLE t (schedule = '1m')            | SET                   | 22",
        "ALTER STREAM TABLE t SET schedule = '1m'          | a parenthesized option list | 26",
        "ALTER STREAM TABLE t SET (schedule = '1m') RESUME | the end of the statement | 44",
        "DROP STREAM TABLE                                 | the stream table name | 18",
        "DROP STREAM TABLE t t2                            | the end of the statement | 21",
        "DROP STREAM TABLE IF t                            | EXISTS                | 22",
        "REFRESH STREAM TABLE t WITH NO DATA               | the end of the statement | 24",
        "REFRESH STREAM TABLE 't'                          | the stream table name | 22",
      })
  void pointsAtSyntaxErrors(String sql, String expected, int position) {
    String message = refusal(sql, RecognitionException.SYNTAX_ERROR).getMessage();
    assertThat(message).contains("STREAM TABLE: expected " + expected);
    assertThat(message).endsWith("at position " + position);
  }

  @Test
  void namesTheStatementInSyntaxErrors() {
    assertThat(
            refusal("CREATE STREAM TABLE t SELECT 1", RecognitionException.SYNTAX_ERROR)
                .getMessage())
        .isEqualTo("CREATE STREAM TABLE: expected AS but found \"SELECT\" at position 23");
    assertThat(
            refusal("CREATE OR REPLACE STREAM TABLE t", RecognitionException.SYNTAX_ERROR)
                .getMessage())
        .isEqualTo(
            "CREATE OR REPLACE STREAM TABLE: expected AS but found the end of the statement at"
                + " position 33");
  }

  @Test
  void acceptsReservedWordsAsNamesOnlyQuoted() throws Exception {
    assertThat(((RefreshStreamTable) command("REFRESH STREAM TABLE \"order\"")).name())
        .isEqualTo("\"order\"");
    assertThat(((RefreshStreamTable) command("REFRESH STREAM TABLE s.orders")).name())
        .isEqualTo("s.orders");
    refusal("REFRESH STREAM TABLE order", RecognitionException.SYNTAX_ERROR);
    refusal("REFRESH STREAM TABLE s.select", RecognitionException.SYNTAX_ERROR);
  }

  @Test
  void refusesInvalidNames() {
    refusal("CREATE STREAM TABLE a.b.c AS SELECT 1", RecognitionException.SYNTAX_ERROR);
    refusal("CREATE STREAM TABLE \"\" AS SELECT 1", RecognitionException.INVALID_NAME);
    refusal("DROP STREAM TABLE \"unterminated", RecognitionException.SYNTAX_ERROR);
  }

  @Test
  void refusesUnknownAndDuplicateOptions() {
    assertThat(
            refusal(
                    "CREATE STREAM TABLE t WITH (query = 'SELECT 2') AS SELECT 1",
                    RecognitionException.INVALID_PARAMETER_VALUE)
                .getMessage())
        .contains(
            "CREATE STREAM TABLE has no option \"query\"; valid options are schedule,"
                + " refresh_mode, initialize, diamond_consistency, diamond_schedule_policy,"
                + " cdc_mode");
    assertThat(
            refusal(
                    "ALTER STREAM TABLE t SET (initialize = true)",
                    RecognitionException.INVALID_PARAMETER_VALUE)
                .getMessage())
        .contains("ALTER STREAM TABLE has no option \"initialize\"", "query, schedule");
    assertThat(
            refusal(
                    "CREATE STREAM TABLE t WITH (schedule = '1m', SCHEDULE = '2m') AS SELECT 1",
                    RecognitionException.INVALID_PARAMETER_VALUE)
                .getMessage())
        .contains("\"schedule\"", "more than once");
    assertThat(
            refusal(
                    "CREATE STREAM TABLE t WITH (initialize = maybe) AS SELECT 1",
                    RecognitionException.INVALID_PARAMETER_VALUE)
                .getMessage())
        .startsWith("invalid value for initialize: 'maybe'");
  }

  @Test
  void refusesWhatTheCommandsCannotExpress() {
    refusal(
        "ALTER STREAM TABLE IF EXISTS t SET (schedule = '1m')",
        RecognitionException.FEATURE_NOT_SUPPORTED);
    assertThat(
            refusal("DROP STREAM TABLE a, b", RecognitionException.FEATURE_NOT_SUPPORTED)
                .getMessage())
        .contains("one stream table at a time");
    refusal(
        "CREATE STREAM TABLE t AS SELECT 1; SELECT 2", RecognitionException.FEATURE_NOT_SUPPORTED);
    refusal("SELECT 2; DROP STREAM TABLE t", RecognitionException.FEATURE_NOT_SUPPORTED);
  }

  @Test
  void refusesEmptyAlterQuery() {
    refusal("ALTER STREAM TABLE t SET (query = '')", RecognitionException.INVALID_PARAMETER_VALUE);
  }
}
