package dev.trickle.rewriter.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StatementScannerTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT pgtrickle.create_stream_table('t', 'SELECT 1')",
        "select PgTrickle.refresh_stream_table('t')",
        "SELECT * FROM pgtrickle.pgt_status()",
        "CREATE EXTENSION pg_trickle",
        "create extension if not exists PG_TRICKLE",
        "DROP EXTENSION \"pg_trickle\"",
        "SELECT \"pgtrickle\".\"create_stream_table\"('t', 'SELECT 1')",
        "CREATE STREAM TABLE t AS SELECT 1",
        "create stream table t as select 1",
        "CREATE OR REPLACE STREAM\n\tTABLE t AS SELECT 1",
        "DROP STREAM /* a comment */ TABLE t",
        "DROP STREAM -- a comment\n TABLE t",
        "REFRESH STREAM /* nested /* comment */ still */ TABLE t",
        "ALTER stream Table t SET (schedule = '5m')",
        "SELECT 'it''s' , pgtrickle.x()",
        "SELECT E'\\'' , pgtrickle.x()",
        "SELECT $$ body $$, pgtrickle.x()",
        "SELECT $1, pgtrickle.x()",
        "SELECT 1;pgtrickle",
        "pgtrickle",
        "(pg_trickle)",
        "SELECT Ünïcode, pgtrickle.x()",
        "SELECT x FROM t WHERE a = 'x' AND b = $q$ $$ $q$ AND pgtrickle.f()",
      })
  void findsTrickleStatements(String sql) {
    assertThat(StatementScanner.mayConcernTrickle(sql)).as(sql).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "SELECT 1",
        "SELECT 'pgtrickle.create_stream_table(1)'",
        "SELECT 'STREAM TABLE'",
        "SELECT E'\\' pgtrickle'",
        "SELECT e'it\\'s pgtrickle'",
        "SELECT 'it''s pgtrickle'",
        "SELECT \"PGTRICKLE\".f()",
        "SELECT \"pgtrickle x\"",
        "SELECT \"a\"\"pgtrickle\"",
        "SELECT 1 -- pgtrickle",
        "SELECT 1 /* pgtrickle */",
        "SELECT 1 /* outer /* inner */ pgtrickle still comment */",
        "SELECT $$ pgtrickle $$",
        "SELECT $body$ STREAM TABLE $$ pgtrickle $body$",
        "SELECT $a$ $b$ pgtrickle $b$ $a$",
        "CREATE FUNCTION f() RETURNS int AS $fn$ SELECT pgtrickle.x() $fn$ LANGUAGE sql",
        "SELECT stream_table FROM t",
        "SELECT * FROM upstream table_x",
        "SELECT upstream table FROM t",
        "SELECT streamtable FROM t",
        "SELECT my_pgtrickle_x FROM t",
        "SELECT pgtrickle2 FROM t",
        "SELECT pg_trickle_x FROM t",
        "SELECT x$pgtrickle FROM t",
        "SELECT stream FROM t",
        "SELECT stream, table_name FROM t",
        "SELECT stream.table FROM t",
        "SELECT stream \"table\" FROM t",
        "SELECT stream 'x' table",
        "SELECT 1pgtrickle",
        "SELECT $1, $2 FROM t",
        "SELECT a$$b FROM t",
      })
  void passesOtherStatements(String sql) {
    assertThat(StatementScanner.mayConcernTrickle(sql)).as(sql).isFalse();
  }

  @Test
  void aDollarAfterAnIdentifierDoesNotOpenADollarQuote() {
    // "a$$" is one identifier in PostgreSQL, so the word after it is code.
    assertThat(StatementScanner.mayConcernTrickle("SELECT a$$ pgtrickle $$")).isTrue();
  }

  @Test
  void aParameterIsNotADollarQuote() {
    assertThat(StatementScanner.mayConcernTrickle("SELECT $1 pgtrickle $1")).isTrue();
    assertThat(StatementScanner.mayConcernTrickle("SELECT $1$ pgtrickle")).isTrue();
  }

  @Test
  void dollarQuoteTagsAreCaseSensitive() {
    assertThat(StatementScanner.mayConcernTrickle("SELECT $Q$ $q$ pgtrickle $Q$")).isFalse();
    assertThat(StatementScanner.mayConcernTrickle("SELECT $Q$ $q$ $Q$ pgtrickle")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT 'unterminated pgtrickle",
        "SELECT E'unterminated \\' pgtrickle",
        "SELECT \"unterminated pgtrickle",
        "SELECT $$ unterminated pgtrickle",
        "SELECT $tag$ unterminated $$ pgtrickle",
        "SELECT /* unterminated pgtrickle",
        "SELECT /* /* */ unterminated pgtrickle",
        "SELECT 1 -- pgtrickle",
        "'",
        "\"",
        "$",
        "$$",
        "$a",
        "E",
        "E'",
        "/*",
        "/",
        "-",
        "STREAM",
        "STREAM ",
        "STREAM /*",
      })
  void unterminatedTextHidesWhatFollowsAndNeverThrows(String sql) {
    assertThat(StatementScanner.mayConcernTrickle(sql)).as(sql).isFalse();
  }

  @Test
  void unterminatedTextStillSeesWhatCameBefore() {
    assertThat(StatementScanner.mayConcernTrickle("SELECT pgtrickle.f('oops")).isTrue();
    assertThat(StatementScanner.mayConcernTrickle("CREATE STREAM TABLE t AS SELECT $$")).isTrue();
  }

  @Test
  void streamAndTableMustBeAdjacentKeywords() {
    assertThat(StatementScanner.mayConcernTrickle("SELECT stream, table FROM t")).isFalse();
    assertThat(StatementScanner.mayConcernTrickle("SELECT stream(table)")).isFalse();
    assertThat(StatementScanner.mayConcernTrickle("stream stream table")).isTrue();
    assertThat(StatementScanner.mayConcernTrickle("STREAM\r\n--x\r\n/*y*/TABLE")).isTrue();
  }

  @Test
  void nonAsciiLettersArePartOfWords() {
    assertThat(StatementScanner.mayConcernTrickle("SELECT épgtrickle")).isFalse();
    assertThat(StatementScanner.mayConcernTrickle("SELECT pgtrickleé")).isFalse();
    assertThat(StatementScanner.mayConcernTrickle("SELECT streamé table")).isFalse();
  }

  @Test
  void handlesVeryLongText() {
    StringBuilder sql = new StringBuilder("INSERT INTO t VALUES ");
    for (int i = 0; i < 100_000; i++) {
      sql.append("(").append(i).append(", 'stream table ''pgtrickle''', $$x$$, E'\\n'), ");
    }
    sql.append("(0, 'x', 'y', 'z')");
    String text = sql.toString();
    assertThat(StatementScanner.mayConcernTrickle(text)).isFalse();
    assertThat(StatementScanner.mayConcernTrickle(text + " -- done\n; SELECT pgtrickle.f()"))
        .isTrue();
  }

  @Test
  void handlesDeeplyNestedComments() {
    String sql = "/*".repeat(10_000) + " pgtrickle " + "*/".repeat(10_000) + " SELECT 1";
    assertThat(StatementScanner.mayConcernTrickle(sql)).isFalse();
    assertThat(StatementScanner.mayConcernTrickle(sql + " pg_trickle")).isTrue();
  }

  @Test
  void allocatesNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    String[] statements = {
      "SELECT a, 'it''s', E'\\n', \"q\"\"x\", $t$ body $t$, $1 FROM t /* /* c */ */ -- c\n",
      "UPDATE t SET stream = 1 WHERE upstream = 'STREAM TABLE' AND x = $$pgtrickle$$",
      "SELECT pgtrickle.refresh_stream_table('t')",
    };
    int matches = 0;
    long before = threads.getCurrentThreadAllocatedBytes();
    long baseline = threads.getCurrentThreadAllocatedBytes() - before;
    before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 10_000; i++) {
      if (StatementScanner.mayConcernTrickle(statements[i % statements.length])) {
        matches++;
      }
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before - baseline;
    assertThat(allocated).isZero();
    assertThat(matches).isEqualTo(3333);
  }
}
