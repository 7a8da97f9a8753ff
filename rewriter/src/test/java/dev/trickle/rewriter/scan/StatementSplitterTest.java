package dev.trickle.rewriter.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.rewriter.scan.StatementSplitter.Statement;
import org.junit.jupiter.api.Test;

class StatementSplitterTest {
  @Test
  void splitsAtTopLevelSemicolonsWithPositions() {
    String script = "SELECT 1;\n  -- a comment; not a statement\n  SELECT 2 ;SELECT 3";

    assertThat(StatementSplitter.splitWithPositions(script))
        .containsExactly(
            new Statement("SELECT 1", 1, 1),
            new Statement("SELECT 2", 3, 3),
            new Statement("SELECT 3", 3, 13));
  }

  @Test
  void ignoresSemicolonsInStringsIdentifiersCommentsAndParentheses() {
    String script =
        "SELECT 'a;''b', E'c\\';d', \"x;\"\"y\" /* c; /* nested; */ still; */ FROM t;"
            + "CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b);";

    assertThat(StatementSplitter.split(script))
        .containsExactly(
            "SELECT 'a;''b', E'c\\';d', \"x;\"\"y\" /* c; /* nested; */ still; */ FROM t",
            "CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b)");
  }

  @Test
  void keepsDollarQuotedBodiesWholeAndCountsTheirLines() {
    String script =
        "DO $body$ BEGIN\n"
            + "  RAISE NOTICE 'x;';\n"
            + "END $body$;\n"
            + "SELECT $1, a$b$ FROM t$x;\n"
            + "SELECT $$;\n"
            + "$$;";

    assertThat(StatementSplitter.splitWithPositions(script))
        .containsExactly(
            new Statement("DO $body$ BEGIN\n  RAISE NOTICE 'x;';\nEND $body$", 1, 1),
            new Statement("SELECT $1, a$b$ FROM t$x", 4, 1),
            new Statement("SELECT $$;\n$$", 5, 1));
  }

  @Test
  void dropsEmptyAndCommentOnlyPieces() {
    assertThat(StatementSplitter.split(";; -- nothing\n/* here */ ;\n")).isEmpty();
    assertThat(StatementSplitter.split("")).isEmpty();
  }

  @Test
  void anUnterminatedStringRunsToTheEnd() {
    assertThat(StatementSplitter.split("SELECT 'open; still open"))
        .containsExactly("SELECT 'open; still open");
  }
}
