package dev.trickle.rewriter.parse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Dollar-quoted constants reach JSqlParser as standard literals, positions kept where possible. */
class DollarStringsTest {
  @Test
  void dollarQuotedConstantsBecomeStandardLiterals() {
    assertThat(DollarStrings.asStandardLiterals("SELECT $pgt1$it's$pgt1$ AS a, $$x$$ AS b"))
        .isEqualTo("SELECT 'it''s'" + " ".repeat(9) + " AS a, 'x'" + " ".repeat(2) + " AS b");
    assertThat(DollarStrings.asStandardLiterals("SELECT '$pgt$' AS a, \"$x$\" AS b"))
        .as("dollar signs inside literals and identifiers are no dollar quotes")
        .isEqualTo("SELECT '$pgt$' AS a, \"$x$\" AS b");
    assertThat(DollarStrings.asStandardLiterals("SELECT $1, a$b FROM t")).isEqualTo("SELECT $1, a$b FROM t");
  }

  @Test
  void queriesWithTagsLikeGeneratedOnesParse() throws QueryException {
    assertThat(QueryParser.parseSelect(
            "SELECT v || $pgt$a$pgt$ || $pgt1$'b'$pgt1$ || $__pgt_refresh$c$__pgt_refresh$ AS w FROM t")
        .toString())
        .contains("'a'", "'''b'''", "'c'");
  }
}
