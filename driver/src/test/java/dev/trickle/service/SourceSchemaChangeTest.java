package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.StreamTableChecks;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A migration of a source never breaks writes to it: for each schema change (of a column the
 * stream tables read or not, of the table itself), on sources of DIFFERENTIAL, FULL and IMMEDIATE
 * stream tables, with seeded random writes before and after, through the driver with commands as
 * SQL text and as JDBC calls with bind parameters. Afterwards each stream table equals its query
 * as a multiset, or its refresh fails, it is in ERROR with a message naming the column (or table)
 * and the remedy, and that remedy brings it back.
 */
class SourceSchemaChangeTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String FILTER = "SELECT id, a, c FROM src WHERE a > 10";
  private static final String AGGREGATE = "SELECT c, count(*) AS n, sum(a) AS s FROM src GROUP BY c";

  /** A schema change, what the refresh says about it, and the queries that remedy it. */
  enum Ddl {
    ADD_COLUMN(null, null, null, "ALTER TABLE src ADD COLUMN d int DEFAULT 7"),
    DROP_UNUSED_COLUMN(null, null, null, "ALTER TABLE src DROP COLUMN b"),
    RENAME_UNUSED_COLUMN(null, null, null, "ALTER TABLE src RENAME COLUMN b TO b2"),
    RETYPE_UNUSED_COLUMN(null, null, null, "ALTER TABLE src ALTER COLUMN b TYPE varchar(40)"),
    DROP_USED_COLUMN(
        "42703 column c of source public.src of stream table public.%s no longer exists",
        "SELECT id, a, a % 4 AS c FROM src WHERE a > 10",
        "SELECT a % 4 AS c, count(*) AS n, sum(a) AS s FROM src GROUP BY a % 4",
        "ALTER TABLE src DROP COLUMN c"),
    RENAME_USED_COLUMN(
        "42703 column c of source public.src of stream table public.%s no longer exists",
        "SELECT id, a, c2 AS c FROM src WHERE a > 10",
        "SELECT c2 AS c, count(*) AS n, sum(a) AS s FROM src GROUP BY c2",
        "ALTER TABLE src RENAME COLUMN c TO c2"),
    RETYPE_USED_COLUMN(
        "42804 column c of source public.src of stream table public.%s changed type from"
            + " integer to numeric",
        "SELECT id, a, c::int AS c FROM src WHERE a > 10",
        "SELECT c::int AS c, count(*) AS n, sum(a) AS s FROM src GROUP BY c::int",
        "ALTER TABLE src ALTER COLUMN c TYPE numeric"),
    RENAME_TABLE(
        "42P01 source public.src of stream table public.%s was renamed to public.src2",
        FILTER.replace("src", "src2"),
        AGGREGATE.replace("src", "src2"),
        "ALTER TABLE src RENAME TO src2"),
    DROP_AND_RECREATE_TABLE(
        "42P01 source public.src of stream table public.%s no longer exists (dropped or replaced)",
        FILTER,
        AGGREGATE,
        "DROP TABLE src",
        "CREATE TABLE src (id int PRIMARY KEY, a int, b text, c int)",
        "INSERT INTO src SELECT g, g % 23, 'r' || g, g % 3 FROM generate_series(1, 30) g");

    final String failure;
    final String filterRemedy;
    final String aggregateRemedy;
    final String[] statements;

    Ddl(String failure, String filterRemedy, String aggregateRemedy, String... statements) {
      this.failure = failure;
      this.filterRemedy = filterRemedy;
      this.aggregateRemedy = aggregateRemedy;
      this.statements = statements;
    }

    String table() {
      return this == RENAME_TABLE ? "src2" : "src";
    }
  }

  /** How the test sends the stream-table commands and the writes. */
  enum Flavour {
    SQL_TEXT,
    JDBC_BIND
  }

  private Connection c;
  private Statement s;
  private Random random;

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Ddl ddl : Ddl.values()) {
      for (String mode : List.of("DIFFERENTIAL", "FULL", "IMMEDIATE")) {
        for (Flavour flavour : Flavour.values()) {
          cases.add(Arguments.of(ddl, mode, flavour));
        }
      }
    }
    return cases.stream();
  }

  @BeforeEach
  void connect() throws SQLException {
    c = db.connectWithoutScheduler();
    s = c.createStatement();
    s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
  }

  @AfterEach
  void dropEverything() throws SQLException {
    s.execute("DROP STREAM TABLE IF EXISTS st_filter");
    s.execute("DROP STREAM TABLE IF EXISTS st_agg");
    s.execute("DROP TABLE IF EXISTS src, src2");
    c.close();
  }

  @ParameterizedTest(name = "{0} under {1} ({2})")
  @MethodSource("cases")
  void writesGoOnAndTheStreamTableFollowsOrNamesTheRemedy(Ddl ddl, String mode, Flavour flavour)
      throws SQLException {
    random = new Random(31L * ddl.ordinal() + 7L * mode.hashCode() + flavour.ordinal());
    s.execute("CREATE TABLE src (id int PRIMARY KEY, a int, b text, c int)");
    s.execute("INSERT INTO src SELECT g, g % 23, CASE WHEN g % 5 = 0 THEN NULL ELSE 'r' || g END,"
        + " CASE WHEN g % 7 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 40) g");
    create(flavour, "st_filter", FILTER, mode);
    create(flavour, "st_agg", AGGREGATE, mode);
    write(flavour, "src", true, 15);
    refreshAndCheck(flavour, "st_filter", FILTER);
    refreshAndCheck(flavour, "st_agg", AGGREGATE);
    write(flavour, "src", true, 15);

    for (String statement : ddl.statements) {
      s.execute(statement);
    }
    boolean bExists = ddl != Ddl.DROP_UNUSED_COLUMN && ddl != Ddl.RENAME_UNUSED_COLUMN;
    write(flavour, ddl.table(), bExists, 20);

    if (ddl.failure == null) {
      refreshAndCheck(flavour, "st_filter", FILTER);
      refreshAndCheck(flavour, "st_agg", AGGREGATE);
    } else {
      expectFailure(flavour, ddl, "st_filter");
      expectFailure(flavour, ddl, "st_agg");
      alter(flavour, "st_filter", ddl.filterRemedy);
      alter(flavour, "st_agg", ddl.aggregateRemedy);
      assertThat(status("st_filter")).isEqualTo("ACTIVE");
      assertThat(status("st_agg")).isEqualTo("ACTIVE");
      refreshAndCheck(flavour, "st_filter", ddl.filterRemedy);
      refreshAndCheck(flavour, "st_agg", ddl.aggregateRemedy);
      write(flavour, ddl.table(), bExists, 20);
      refreshAndCheck(flavour, "st_filter", ddl.filterRemedy);
      refreshAndCheck(flavour, "st_agg", ddl.aggregateRemedy);
    }
  }

  @Test
  void aTypeFromAnotherSchemaIsNotAChangeWhenTheRefreshHasAnotherSearchPath() throws SQLException {
    s.execute("CREATE SCHEMA moods");
    try {
      s.execute("CREATE TYPE moods.mood AS ENUM ('sad', 'ok', 'happy')");
      s.execute("SET search_path = moods, public");
      s.execute("CREATE TABLE public.src (id int PRIMARY KEY, m mood, ms mood[])");
      s.execute("INSERT INTO src VALUES (1, 'ok', '{sad,ok}'), (2, 'happy', NULL)");
      create(Flavour.SQL_TEXT, "public.st_filter", "SELECT id, m, ms FROM src WHERE m > 'sad'",
          "DIFFERENTIAL");
      s.execute("SET search_path = public");
      s.execute("INSERT INTO src VALUES (3, 'sad', '{happy}'), (4, 'happy', '{}')");
      s.execute("ALTER TABLE src ADD COLUMN extra int");
      refreshAndCheck(Flavour.SQL_TEXT, "st_filter",
          "SELECT id, m, ms FROM src WHERE m > 'sad'::moods.mood");
    } finally {
      s.execute("SET search_path = public");
      s.execute("DROP STREAM TABLE IF EXISTS st_filter");
      s.execute("DROP TABLE IF EXISTS src");
      s.execute("DROP SCHEMA moods CASCADE");
    }
  }

  private void expectFailure(Flavour flavour, Ddl ddl, String name) throws SQLException {
    String expected = String.format(ddl.failure, name);
    String state = expected.substring(0, 5);
    String message = expected.substring(6);
    assertThatThrownBy(() -> refresh(flavour, name))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining(message)
        .hasMessageContaining("pgtrickle.alter_stream_table('public." + name + "', query => '...')")
        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo(state));
    assertThat(status(name)).isEqualTo("ERROR");
    assertThat(value("SELECT last_error_message FROM pgtrickle.pgt_stream_tables"
        + " WHERE pgt_schema = 'public' AND pgt_name = '" + name + "'")).contains(message);
  }

  private void create(Flavour flavour, String name, String query, String mode)
      throws SQLException {
    if (flavour == Flavour.SQL_TEXT) {
      s.execute("SELECT pgtrickle.create_stream_table('" + name + "', $q$" + query
          + "$q$, refresh_mode => '" + mode + "')");
    } else {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT pgtrickle.create_stream_table(?, ?, refresh_mode => ?)")) {
        ps.setString(1, name);
        ps.setString(2, query);
        ps.setString(3, mode);
        ps.execute();
      }
    }
  }

  private void alter(Flavour flavour, String name, String query) throws SQLException {
    if (flavour == Flavour.SQL_TEXT) {
      s.execute("SELECT pgtrickle.alter_stream_table('" + name + "', query => $q$" + query
          + "$q$)");
    } else {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT pgtrickle.alter_stream_table(?, query => ?)")) {
        ps.setString(1, name);
        ps.setString(2, query);
        ps.execute();
      }
    }
  }

  private void refresh(Flavour flavour, String name) throws SQLException {
    if (flavour == Flavour.SQL_TEXT) {
      s.execute("REFRESH STREAM TABLE " + name);
    } else {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT pgtrickle.refresh_stream_table(?)")) {
        ps.setString(1, name);
        ps.execute();
      }
    }
  }

  private void refreshAndCheck(Flavour flavour, String name, String query) throws SQLException {
    refresh(flavour, name);
    assertThat(StreamTableChecks.difference(s, name, query))
        .as("%s equals its query %s", name, query)
        .isZero();
    assertThat(status(name)).isEqualTo("ACTIVE");
  }

  /**
   * {@code count} random inserts (NULLs and repeated values included), updates and deletes of
   * {@code table}; every one must succeed.
   */
  private void write(Flavour flavour, String table, boolean bExists, int count)
      throws SQLException {
    for (int i = 0; i < count; i++) {
      int id = 1 + random.nextInt(60);
      Integer a = random.nextInt(8) == 0 ? null : random.nextInt(25);
      String sql;
      List<Object> values = new ArrayList<>();
      switch (random.nextInt(4)) {
        case 0 -> {
          sql = "INSERT INTO " + table + " (id, a) VALUES (?, ?) ON CONFLICT (id) DO NOTHING";
          values.add(id);
          values.add(a);
        }
        case 1 -> {
          sql = "UPDATE " + table + " SET a = ? WHERE id % 6 = ?";
          values.add(a);
          values.add(id % 6);
        }
        case 2 -> {
          sql = "DELETE FROM " + table + " WHERE id = ?";
          values.add(id);
        }
        default -> {
          sql = bExists
              ? "UPDATE " + table + " SET b = 'w' || ? WHERE id = ?"
              : "UPDATE " + table + " SET id = id + 100 WHERE id = ?";
          if (bExists) {
            values.add(i);
          }
          values.add(id);
        }
      }
      if (flavour == Flavour.JDBC_BIND) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          for (int p = 0; p < values.size(); p++) {
            ps.setObject(p + 1, values.get(p), java.sql.Types.INTEGER);
          }
          ps.executeUpdate();
        }
      } else {
        String text = sql;
        for (Object v : values) {
          text = text.replaceFirst("\\?", v == null ? "NULL" : v.toString());
        }
        s.execute(text);
      }
    }
  }

  private String status(String name) throws SQLException {
    return value("SELECT status FROM pgtrickle.pgt_stream_tables WHERE pgt_schema = 'public'"
        + " AND pgt_name = '" + name + "'");
  }

  private String value(String query) throws SQLException {
    try (var rs = s.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
