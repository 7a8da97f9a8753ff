package dev.trickle.rewriter.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.trickle.rewriter.scan.StatementSplitter.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatementSplitterTest {

  @Test
  void splitsAtTopLevelSemicolons() {
    assertThat(StatementSplitter.split("SELECT 1; SELECT 2;SELECT 3"))
        .containsExactly("SELECT 1", "SELECT 2", "SELECT 3");
  }

  @Test
  void ignoresSemicolonsInStringsIdentifiersCommentsAndDollarQuotes() {
    String script =
        "SELECT 'a;b', E'c\\';d', \"e;f\" -- g;h\n"
            + "/* i; /* j; */ k; */ FROM t;\n"
            + "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$\n"
            + "BEGIN PERFORM 1; RETURN 2; END $fn$;\n"
            + "SELECT pgtrickle.create_stream_table('x', $$SELECT 1; $$)";
    assertThat(StatementSplitter.split(script))
        .containsExactly(
            "SELECT 'a;b', E'c\\';d', \"e;f\" -- g;h\n/* i; /* j; */ k; */ FROM t",
            "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$\n"
                + "BEGIN PERFORM 1; RETURN 2; END $fn$",
            "SELECT pgtrickle.create_stream_table('x', $$SELECT 1; $$)");
  }

  @Test
  void ignoresSemicolonsInsideParentheses() {
    assertThat(
            StatementSplitter.split("CREATE RULE r AS ON INSERT TO t DO (SELECT 1; SELECT 2); X"))
        .containsExactly("CREATE RULE r AS ON INSERT TO t DO (SELECT 1; SELECT 2)", "X");
  }

  @Test
  void dropsBlankAndCommentOnlyStatements() {
    assertThat(StatementSplitter.split(" ;;\n-- only a comment\n; /* another */ ;  ")).isEmpty();
    assertThat(StatementSplitter.split("")).isEmpty();
  }

  @Test
  void dropsCommentsAroundAStatementButKeepsThoseInside() {
    assertThat(
            StatementSplitter.split("-- lead\n/* lead */ SELECT /* in */ 1 -- trail\n; -- after"))
        .containsExactly("SELECT /* in */ 1");
  }

  @Test
  void keepsAnUnterminatedTailAsTheLastStatement() {
    assertThat(StatementSplitter.split("SELECT 1; SELECT 'oops; SELECT 2"))
        .containsExactly("SELECT 1", "SELECT 'oops; SELECT 2");
    assertThat(StatementSplitter.split("SELECT 1; SELECT $$ x; /* y"))
        .containsExactly("SELECT 1", "SELECT $$ x; /* y");
  }

  @Test
  void reportsWhereEachStatementStarts() {
    String script = "-- header\nSELECT 1;\n\n  SELECT\n 2; SELECT 3;\r\nSELECT 4;\rSELECT 5";
    assertThat(StatementSplitter.splitWithPositions(script))
        .containsExactly(
            new Statement("SELECT 1", 2, 1),
            new Statement("SELECT\n 2", 4, 3),
            new Statement("SELECT 3", 5, 5),
            new Statement("SELECT 4", 6, 1),
            new Statement("SELECT 5", 7, 1));
  }

  @Test
  void countsLinesInsideStringsAndComments() {
    String script = "SELECT 'a\nb'; /* c\nd */ SELECT $$\n$$; SELECT 3";
    assertThat(StatementSplitter.splitWithPositions(script))
        .extracting(Statement::line, Statement::column)
        .containsExactly(tuple(1, 1), tuple(3, 6), tuple(4, 5));
  }

  @Test
  void splitsLongScripts() {
    String script = "INSERT INTO t VALUES (1, 'a;b', $$c;d$$); -- e;f\n".repeat(20_000);
    List<Statement> statements = StatementSplitter.splitWithPositions(script);
    assertThat(statements).hasSize(20_000);
    assertThat(statements.get(19_999))
        .isEqualTo(new Statement("INSERT INTO t VALUES (1, 'a;b', $$c;d$$)", 20_000, 1));
  }
}
