package dev.trickle.service;

import static dev.trickle.service.BadInputCase.of;

import dev.trickle.service.BadInputCase.Role;
import java.util.List;

/**
 * The catalogue of bad inputs: one row per case, with the SQLSTATE and message fragments the driver
 * answers with. {@code docs/bad-inputs.md} is rendered from this table ({@link
 * BadInputCatalogTest} fails when the two differ). The fixture: tables {@code src (id int PRIMARY
 * KEY, v int, d int)} and {@code plain (a int)}, a view {@code vw}, a sequence {@code seq1}, and
 * the DIFFERENTIAL stream table {@code st_ok} ({@code SELECT id, v FROM src}), all owned by the
 * owner role.
 */
final class BadInputCases {
  private BadInputCases() {}

  private static final String CREATE = "SELECT pgtrickle.create_stream_table(";

  private static String create(String name, String query, String more) {
    return CREATE + "'" + name + "', $q$" + query + "$q$" + (more.isEmpty() ? "" : ", " + more) + ")";
  }

  private static String create(String name, String query) {
    return create(name, query, "");
  }

  private static String differential(String name, String query) {
    return create(name, query, "refresh_mode => 'DIFFERENTIAL'");
  }

  private static String schedule(String schedule) {
    return create("st_s", "SELECT id FROM src", "schedule => '" + schedule + "'");
  }

  private static final String LONG_NAME = "st_" + "x".repeat(62);

  static final List<BadInputCase> ALL =
      List.of(
          // names
          of("name-too-long", "names", create(LONG_NAME, "SELECT id FROM src"), "22023", "is longer than 63 bytes"),
          of("name-empty", "names", create("", "SELECT id FROM src"), "22023", "parameter \"name\" of pgtrickle.create_stream_table is empty", "give a value"),
          of("name-three-parts", "names", create("a.b.c", "SELECT id FROM src"), "42602", "a.b.c", "write name or schema.name"),
          of("name-unterminated-quote", "names", create("\"st_q", "SELECT id FROM src"), "42602", "unterminated quoted identifier", "write name or schema.name"),
          of("name-space", "names", create("st x", "SELECT id FROM src"), "42602", "st x", "write name or schema.name"),
          of("name-catalog-schema", "names", create("pgtrickle.st_c", "SELECT id FROM src"), "42939", "schema pgtrickle is reserved", "create stream table pgtrickle.st_c in a schema of your own"),
          of("name-buffer-schema", "names", create("pgtrickle_changes.st_c", "SELECT id FROM src"), "42939", "schema pgtrickle_changes is reserved", "in a schema of your own"),
          of("name-system-schema", "names", create("pg_catalog.st_c", "SELECT id FROM src"), "42939", "schema pg_catalog is reserved", "in a schema of your own"),
          of("name-clashes-table", "names", create("src", "SELECT id FROM src"), "42P07", "public.src already exists as a table", "choose another name or drop it"),
          of("name-clashes-view", "names", create("vw", "SELECT id FROM src"), "42P07", "public.vw already exists as a view", "choose another name"),
          of("name-clashes-sequence", "names", create("seq1", "SELECT id FROM src"), "42P07", "public.seq1 already exists as a sequence", "choose another name"),
          of("name-clashes-stream-table", "names", create("st_ok", "SELECT id FROM src"), "42P07", "stream table public.st_ok already exists", "use create_or_replace_stream_table"),
          of("name-clashes-ddl", "names", "CREATE STREAM TABLE st_ok AS SELECT id FROM src", "42P07", "stream table public.st_ok already exists", "use create_or_replace_stream_table"),
          of("name-missing-schema", "names", create("nosuch.st_m", "SELECT id FROM src"), "42P01", "schema nosuch of stream table nosuch.st_m does not exist", "create it first"),
          of("name-null", "names", CREATE + "NULL, 'SELECT id FROM src')", "22023", "parameter \"name\" of pgtrickle.create_stream_table is NULL", "give a value"),
          // queries
          of("query-misspelled-keyword", "queries", create("st_q", "SELEC id FROM src"), "42601", "syntax error at or near \"SELEC\" at position 1", "stream table public.st_q", "a query starts with SELECT"),
          of("query-syntax-error", "queries", create("st_q", "SELECT id FROM src WHERE"), "42601", "stream table public.st_q", "syntax error at end of input (at position 25 of the query)"),
          of("query-unterminated-string", "queries", create("st_q", "SELECT 'abc AS x FROM src"), "42601", "stream table public.st_q", "unterminated quoted string", "(at position 8 of the query)"),
          of("query-two-statements", "queries", create("st_q", "SELECT id FROM src; SELECT 1"), "42601", "stream table public.st_q contains more than one statement", "give exactly one query"),
          of("query-not-a-query", "queries", create("st_q", "DELETE FROM src"), "22023", "stream table public.st_q must be a query", "not DELETE"),
          of("query-empty", "queries", create("st_q", "  "), "22023", "parameter \"query\" of pgtrickle.create_stream_table is empty", "give a value"),
          of("query-null", "queries", CREATE + "'st_q', NULL)", "22023", "parameter \"query\" of pgtrickle.create_stream_table is NULL", "give a value"),
          of("query-missing-relation", "queries", create("st_q", "SELECT id FROM nosuch"), "42P01", "stream table public.st_q", "relation \"nosuch\" does not exist (at position 16 of the query)"),
          of("query-missing-column", "queries", create("st_q", "SELECT nosuch FROM src"), "42703", "stream table public.st_q", "column \"nosuch\" does not exist (at position 8"),
          of("query-missing-function", "queries", create("st_q", "SELECT nosuch(id) FROM src"), "42883", "stream table public.st_q", "function nosuch(integer) does not exist"),
          of("query-limit", "queries", create("st_q", "SELECT id FROM src LIMIT 5"), "0A000", "LIMIT/OFFSET/FETCH without ORDER BY", "add an ORDER BY"),
          of("query-reserved-column", "queries", create("st_q", "SELECT id AS __pgt_x FROM src"), "22023", "output column __pgt_x of stream table public.st_q", "rename it with AS"),
          of("query-duplicate-column", "queries", create("st_q", "SELECT id, id FROM src"), "42701", "stream table public.st_q", "column \"id\" specified more than once"),
          of("query-modifying-with", "queries",
              create("st_q", "WITH d AS (DELETE FROM src RETURNING id) SELECT id FROM d"), "0A000", "stream table public.st_q", "data-modifying statements in WITH"),
          of("query-reads-itself", "queries",
              "SELECT pgtrickle.alter_stream_table('st_ok', query => 'SELECT id, v FROM st_ok')", "3F000", "stream table public.st_ok would depend on itself", "must not read itself"),
          of("query-volatile-differential", "queries", differential("st_q", "SELECT id, random() AS r FROM src"), "0A000", "stream table public.st_q cannot use refresh_mode DIFFERENTIAL", "volatile function random() at line 1, column 12", "use refresh_mode AUTO or FULL"),
          of("query-now-differential", "queries", differential("st_q", "SELECT id, now() AS t FROM src"), "0A000", "stream table public.st_q", "time-dependent function now() at line 1, column 12", "use refresh_mode AUTO or FULL"),
          of("query-current-timestamp-differential", "queries",
              differential("st_q", "SELECT id FROM src WHERE v < extract(epoch FROM current_timestamp)"), "0A000", "stream table public.st_q", "time-dependent function current_timestamp at line 1, column 49", "use refresh_mode AUTO or FULL"),
          of("query-clock-timestamp-differential", "queries",
              differential("st_q", "SELECT id, clock_timestamp() AS t FROM src"), "0A000", "stream table public.st_q", "volatile function clock_timestamp() at line 1, column 12", "use refresh_mode AUTO or FULL"),
          of("query-localtimestamp-differential", "queries",
              differential("st_q", "SELECT id, localtimestamp AS t FROM src"), "0A000", "stream table public.st_q", "time-dependent function localtimestamp at line 1, column 12", "use refresh_mode AUTO or FULL"),
          of("query-current-date-differential", "queries",
              differential("st_q", "SELECT id, current_date AS t FROM src"), "0A000", "stream table public.st_q", "time-dependent function current_date at line 1, column 12", "use refresh_mode AUTO or FULL"),
          of("query-statement-timestamp-differential", "queries",
              differential("st_q", "SELECT id, statement_timestamp() AS t FROM src"), "0A000", "stream table public.st_q", "time-dependent function statement_timestamp() at line 1, column 12", "use refresh_mode AUTO or FULL"),
          of("query-timeofday-differential", "queries",
              differential("st_q", "SELECT id, timeofday() AS t FROM src"), "0A000", "stream table public.st_q", "volatile function timeofday() at line 1, column 12", "use refresh_mode AUTO or FULL"),
          of("query-mixed-set-operations-differential", "queries",
              differential("st_q", "SELECT id FROM src INTERSECT ALL SELECT a FROM plain EXCEPT SELECT a FROM plain"), "0A000", "stream table public.st_q", "set operation INTERSECT ALL mixed with others at line 1, column 20", "use refresh_mode AUTO or FULL"),
          of("query-within-group-differential", "queries",
              differential("st_q", "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS n FROM src"), "0A000", "stream table public.st_q", "aggregate with WITHIN GROUP percentile_cont() at line 1, column 8", "use refresh_mode AUTO or FULL"),
          of("query-temporary-source", "queries", create("st_q", "SELECT x FROM tmp_src"), "0A000", "tmp_src")
              .after(List.of("CREATE TEMP TABLE tmp_src (x int)"), List.of("DROP TABLE IF EXISTS tmp_src")),
          of("query-view-missing-column", "queries", create("st_q", "SELECT nosuch FROM vw"), "42703", "stream table public.st_q", "column \"nosuch\" does not exist"),
          // schedules
          of("schedule-empty", "schedules", schedule(""), "22023", "invalid schedule ''", "a schedule cannot be empty", "use a duration"),
          of("schedule-blank", "schedules", schedule("   "), "22023", "invalid schedule '   '", "a schedule cannot be empty", "use a duration"),
          of("schedule-negative", "schedules", schedule("-5m"), "22023", "invalid schedule '-5m'", "use a duration"),
          of("schedule-zero", "schedules", schedule("0s"), "22023", "invalid schedule '0s'", "must be longer than zero"),
          of("schedule-unknown-unit", "schedules", schedule("5 minutes"), "22023", "invalid schedule '5 minutes'", "use a duration"),
          of("schedule-cron-fields", "schedules", schedule("* * *"), "22023", "invalid schedule '* * *'", "5 or 6 fields, this one has 3"),
          of("schedule-cron-range", "schedules", schedule("61 * * * *"), "22023", "invalid schedule '61 * * * *'", "Value 61 not in range [0, 59]"),
          of("schedule-shorthand", "schedules", schedule("@often"), "22023", "invalid schedule '@often'", "unknown shorthand @often", "@hourly"),
          of("schedule-too-long", "schedules", schedule("99999999999999999999w"), "22023", "invalid schedule '99999999999999999999w'", "the duration is too long"),
          of("schedule-alter-blank", "schedules", "SELECT pgtrickle.alter_stream_table('st_ok', schedule => '')", "22023", "invalid schedule ''", "a schedule cannot be empty"),
          of("schedule-ddl-blank", "schedules", "CREATE STREAM TABLE st_s WITH (schedule = ' ') AS SELECT id FROM src", "22023", "invalid schedule ' '", "a schedule cannot be empty"),
          // modes
          of("mode-unknown", "modes", create("st_q", "SELECT id FROM src", "refresh_mode => 'FAST'"), "22023", "invalid refresh_mode 'FAST' for stream table public.st_q", "valid values: AUTO, DIFFERENTIAL, FULL, IMMEDIATE"),
          of("mode-immediate-unsupported", "modes",
              create("st_q", "SELECT id FROM src INTERSECT ALL SELECT a FROM plain EXCEPT SELECT a FROM plain", "refresh_mode => 'IMMEDIATE'"), "0A000", "stream table public.st_q cannot use refresh_mode IMMEDIATE", "INTERSECT ALL", "use refresh_mode AUTO, DIFFERENTIAL or FULL"),
          of("mode-immediate-now", "modes",
              create("st_q", "SELECT id, now() AS t FROM src", "refresh_mode => 'IMMEDIATE'"), "0A000", "stream table public.st_q cannot use refresh_mode IMMEDIATE", "time-dependent function now()", "use refresh_mode AUTO, DIFFERENTIAL or FULL"),
          of("mode-alter-unknown", "modes", "SELECT pgtrickle.alter_stream_table('st_ok', refresh_mode => 'SOMETIMES')", "22023", "invalid refresh_mode 'SOMETIMES' for stream table public.st_ok", "valid values"),
          // options
          of("option-unknown", "options", create("st_q", "SELECT id FROM src", "colour => 'red'"), "22023", "pgtrickle.create_stream_table has no parameter \"colour\"", "valid parameters are name, query"),
          of("option-initialize-not-boolean", "options", create("st_q", "SELECT id FROM src", "initialize => 'maybe'"), "22023", "invalid value for initialize: 'maybe'", "expected true or false"),
          of("option-diamond-unknown", "options", create("st_q", "SELECT id FROM src", "diamond_consistency => 'strict'"), "22023", "invalid diamond_consistency 'strict' for stream table public.st_q", "valid values: none, atomic"),
          of("option-cdc-wal", "options", create("st_q", "SELECT id FROM src", "cdc_mode => 'wal'"), "0A000", "cdc_mode 'wal' for stream table public.st_q needs logical decoding, and wal_level is replica", "use cdc_mode 'trigger', or 'auto'"),
          of("option-alter-status", "options", "SELECT pgtrickle.alter_stream_table('st_ok', status => 'DEAD')", "22023", "invalid status 'DEAD' for stream table public.st_ok", "valid values: ACTIVE, SUSPENDED"),
          of("option-ddl-unknown", "options", "CREATE STREAM TABLE st_q WITH (colour = 'red') AS SELECT id FROM src", "22023", "CREATE STREAM TABLE has no option \"colour\"", "valid options are schedule"),
          // lifecycle
          of("refresh-missing", "lifecycle", "SELECT pgtrickle.refresh_stream_table('nosuch')", "42P01", "stream table nosuch does not exist", "pgtrickle.pgt_status() lists the stream tables"),
          of("drop-missing", "lifecycle", "SELECT pgtrickle.drop_stream_table('nosuch')", "42P01", "stream table nosuch does not exist", "pgtrickle.pgt_status() lists"),
          of("alter-missing", "lifecycle", "SELECT pgtrickle.alter_stream_table('nosuch', schedule => '1m')", "42P01", "stream table nosuch does not exist", "pgtrickle.pgt_status() lists"),
          of("resume-missing", "lifecycle", "SELECT pgtrickle.resume_stream_table('nosuch')", "42P01", "stream table nosuch does not exist", "pgtrickle.pgt_status() lists"),
          of("drop-a-table", "lifecycle", "SELECT pgtrickle.drop_stream_table('src')", "42P01", "public.src is a table, not a stream table"),
          of("refresh-a-view", "lifecycle", "SELECT pgtrickle.refresh_stream_table('vw')", "42P01", "public.vw is a view, not a stream table"),
          of("write-into-stream-table", "lifecycle", "INSERT INTO st_ok VALUES (100, 1)", "0A000", "public.st_ok is a stream table maintained by Trickle", "change its sources instead"),
          of("delete-from-stream-table", "lifecycle", "DELETE FROM st_ok", "0A000", "public.st_ok is a stream table maintained by Trickle", "change its sources instead"),
          of("update-stream-table", "lifecycle", "UPDATE st_ok SET v = 0", "0A000", "public.st_ok is a stream table maintained by Trickle", "change its sources instead"),
          // source DDL
          of("refresh-after-source-dropped", "source DDL", "SELECT pgtrickle.refresh_stream_table('st_gone')", "42P01", "source public.gone of stream table public.st_gone no longer exists", "change the query with pgtrickle.alter_stream_table('public.st_gone', query => '...'), or drop the stream table")
              .after(
                  List.of("CREATE TABLE gone (id int PRIMARY KEY)",
                      "SELECT pgtrickle.create_stream_table('st_gone', 'SELECT id FROM gone', refresh_mode => 'FULL')",
                      "DROP TABLE gone"),
                  List.of("SELECT pgtrickle.drop_stream_table('st_gone')"))
              .recorded(),
          // privileges
          of("nobody-creates", "privileges", create("st_n", "SELECT id FROM src"), "42501", "permission denied for schema pgtrickle").as(Role.NOBODY),
          of("nobody-refreshes", "privileges", "SELECT pgtrickle.refresh_stream_table('st_ok')", "42501", "permission denied for schema pgtrickle").as(Role.NOBODY),
          of("nobody-drops", "privileges", "SELECT pgtrickle.drop_stream_table('st_ok')", "42501", "permission denied for schema pgtrickle").as(Role.NOBODY),
          of("nobody-alters", "privileges", "SELECT pgtrickle.alter_stream_table('st_ok', schedule => '5m')", "42501", "permission denied for schema pgtrickle").as(Role.NOBODY),
          of("writer-drops", "privileges", "SELECT pgtrickle.drop_stream_table('st_ok')", "42501", "permission denied for schema pgtrickle").as(Role.WRITER),
          of("writer-alters", "privileges", "SELECT pgtrickle.alter_stream_table('st_ok', query => 'SELECT id FROM src')", "42501", "permission denied for schema pgtrickle").as(Role.WRITER),
          of("writer-refreshes", "privileges", "SELECT pgtrickle.refresh_stream_table('st_ok')", "42501", "permission denied for schema pgtrickle").as(Role.WRITER),
          of("writer-writes-stream-table", "privileges", "DELETE FROM st_ok", "42501", "permission denied for table st_ok").as(Role.WRITER),
          of("writer-replaces", "privileges",
              "SELECT pgtrickle.create_or_replace_stream_table('st_ok', 'SELECT id FROM src')", "42501", "permission denied for schema pgtrickle").as(Role.WRITER));
}
