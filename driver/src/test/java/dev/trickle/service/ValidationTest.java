package dev.trickle.service;

import static dev.trickle.service.SqlStates.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.rewriter.command.TrickleCommand.CreateMode;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad input: each refusal has its SQLState, names the object, and leaves nothing behind. */
class ValidationTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static Connection c;
  private static ServiceHarness h;

  @BeforeAll
  static void setUp() throws SQLException {
    c = db.connectPlain();
    h = new ServiceHarness(c);
    h.createExtension();
    h.sql("CREATE TABLE orders (id int PRIMARY KEY, amount int)",
        "INSERT INTO orders VALUES (1, 10)");
  }

  @AfterAll
  static void close() throws SQLException {
    c.close();
  }

  @AfterEach
  void nothingLeftBehind() throws SQLException {
    assertThat(h.count("SELECT * FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'st'")).isZero();
    assertThat(h.value("SELECT to_regclass('public.st') IS NULL")).isEqualTo("t");
    assertThat(h.count("SELECT * FROM pgtrickle.pgt_change_buffers")).isZero();
    assertThat(h.count("SELECT * FROM pg_trigger WHERE tgname LIKE 'pgtrickle%'")).isZero();
  }

  @Test
  void unknownSourceIs42P01() {
    assertFails(() -> h.create("st", "SELECT * FROM nosuch"), "42P01",
        "invalid defining query for stream table public.st: relation \"nosuch\" does not exist"
            + " (at position 15 of the query)");
  }

  @Test
  void syntaxErrorIs42601() {
    assertFails(() -> h.create("st", "SELECT id FROM orders WHERE"), "42601", "public.st");
  }

  @Test
  void nonQueryIs22023() {
    assertFails(() -> h.create("st", "DELETE FROM orders"), "22023",
        "must be a query (SELECT, WITH, VALUES or TABLE), not DELETE");
    assertFails(() -> h.create("st", "WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d"),
        "0A000", "public.st");
  }

  @Test
  void twoStatementsAre42601ButATrailingSemicolonIsFine() throws SQLException {
    assertFails(() -> h.create("st", "SELECT 1 AS x; DROP TABLE orders"), "42601",
        "more than one statement");
    h.create("st", "SELECT id FROM orders; -- done\n", "refresh_mode", "FULL");
    assertThat(h.value("SELECT defining_query FROM pgtrickle.pgt_stream_tables"))
        .isEqualTo("SELECT id FROM orders");
    h.drop("st", false);
  }

  @Test
  void semicolonsInsideQuotesAndCommentsAreNotStatementEnds() throws SQLException {
    h.create("st", "SELECT ';' AS a, $x$;$x$ AS b, \"id;\" FROM (SELECT id AS \"id;\" FROM orders) o"
        + " /* ; */ -- ;", "refresh_mode", "FULL");
    assertThat(h.rows("SELECT * FROM st")).containsExactly(java.util.List.of(";", ";", "1"));
    h.drop("st", false);
  }

  @Test
  void duplicateNameIs42P07() throws SQLException {
    h.create("st", "SELECT id FROM orders");
    assertFails(() -> h.create("st", "SELECT id FROM orders"), "42P07",
        "stream table public.st already exists");
    h.create(CreateMode.IF_NOT_EXISTS, "st", "SELECT amount FROM orders");
    assertThat(h.takeWarnings()).contains("stream table public.st already exists, skipping");
    assertThat(h.rows("SELECT * FROM st")).containsExactly(java.util.List.of("1"));
    h.drop("st", false);
  }

  @Test
  void nameOfAPlainTableIs42P07() {
    assertFails(() -> h.create("orders", "SELECT 1 AS x"), "42P07",
        "public.orders already exists as a table; choose another name or drop it");
  }

  @Test
  void reservedColumnNamesAre22023() {
    assertFails(() -> h.create("st", "SELECT id AS __pgt_row FROM orders"), "22023",
        "output column __pgt_row of stream table public.st uses the prefix __pgt_");
  }

  @Test
  void invalidOptionValuesAre22023AndListTheValidOnes() {
    assertFails(() -> h.create("st", "SELECT id FROM orders", "refresh_mode", "SOMETIMES"),
        "22023", "invalid refresh_mode 'SOMETIMES' for stream table public.st; valid values:"
            + " AUTO, DIFFERENTIAL, FULL, IMMEDIATE");
    assertFails(() -> h.create("st", "SELECT id FROM orders", "schedule", "5 minutes"),
        "22023", "invalid schedule '5 minutes'");
    assertFails(() -> h.create("st", "SELECT id FROM orders", "schedule", "61 * * * *"),
        "22023", "invalid schedule '61 * * * *'");
    assertFails(() -> h.create("st", "SELECT id FROM orders", "cdc_mode", "magic"),
        "22023", "valid values: trigger, wal, auto");
    assertFails(() -> h.create("st", "SELECT id FROM orders", "diamond_consistency", "x"),
        "22023", "valid values: none, atomic");
    assertFails(() -> h.create("st", "SELECT id FROM orders", "diamond_schedule_policy", "x"),
        "22023", "valid values: fastest, slowest");
    assertFails(() -> h.create("st", "SELECT id FROM orders", "initialize", "maybe"),
        "22023", "use true or false");
    assertFails(() -> h.create("st", "SELECT id FROM orders", "colour", "red"),
        "22023", "unknown option colour");
  }

  @Test
  void schedulesShorterThanTheMinimumAreRefused() throws SQLException {
    h.settings.setProperty("trickle.min_schedule_seconds", "60");
    try {
      assertFails(() -> h.create("st", "SELECT id FROM orders", "schedule", "30s"), "22023",
          "shorter than pg_trickle.min_schedule_seconds (60 s)");
      assertFails(() -> h.create("st", "SELECT id FROM orders", "schedule", "*/5 * * * * *"),
          "22023", "shorter than pg_trickle.min_schedule_seconds");
    } finally {
      h.settings.clear();
    }
  }

  @Test
  void unavailableModesAre0A000() {
    assertFails(
        () -> h.create("st", "SELECT id, random() AS r FROM orders", "refresh_mode", "IMMEDIATE"),
        "0A000", "stream table public.st cannot use refresh_mode IMMEDIATE: volatile function random()");
    assertFails(
        () -> h.create("st", "SELECT id, random() AS r FROM orders", "refresh_mode", "DIFFERENTIAL"),
        "0A000", "stream table public.st cannot use refresh_mode DIFFERENTIAL: volatile function random()");
    assertFails(() -> h.create("st", "SELECT id FROM orders", "cdc_mode", "wal"),
        "0A000", "cdc_mode 'wal'");
  }

  @Test
  void badNamesAre22023AndUnknownSchemasOrTables42P01() {
    assertFails(() -> h.create("a.b.c", "SELECT 1 AS x"), "22023", "use name or schema.name");
    assertFails(() -> h.create("\"open", "SELECT 1 AS x"), "22023", "not closed");
    assertFails(() -> h.create("two words", "SELECT 1 AS x"), "22023", "unexpected character");
    assertFails(() -> h.create("nosuch.st", "SELECT 1 AS x"), "42P01",
        "schema nosuch of stream table nosuch.st does not exist");
    assertFails(() -> h.refresh("st"), "42P01", "stream table st does not exist");
    assertFails(() -> h.refresh("orders"), "42P01", "public.orders is a table, not a stream table");
    assertFails(() -> h.drop("st", false), "42P01", "stream table st does not exist");
    assertFails(() -> h.alter("st", null, "schedule", "1m"), "42P01", "does not exist");
    assertFails(() -> h.resume("st"), "42P01", "does not exist");
  }

  @Test
  void temporarySourcesAreRefused() throws SQLException {
    h.sql("CREATE TEMP TABLE scratch (x int)");
    assertFails(() -> h.create("st", "SELECT x FROM scratch"), "0A000",
        "cannot read the temporary table");
    h.sql("DROP TABLE scratch");
  }

  @Test
  void newCaptureInsideARepeatableReadTransactionIsRefused() throws SQLException {
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    try {
      assertFails(() -> h.create("st", "SELECT id FROM orders"), "0A000",
          "REPEATABLE READ or SERIALIZABLE");
      c.rollback();
    } finally {
      c.setAutoCommit(true);
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    }
  }
}
