package dev.trickle.service;

import static dev.trickle.service.SqlStates.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class QueryTextTest {
  @Test
  void trailingSemicolonsAndCommentsAreRemoved() throws SQLException {
    assertThat(QueryText.of("  SELECT 1 ;; -- done\n /* really */ ", "st").text())
        .isEqualTo("SELECT 1");
    assertThat(QueryText.of("(VALUES (1))", "st").text()).isEqualTo("(VALUES (1))");
    assertThat(QueryText.of("-- lead\nWITH a AS (SELECT 1) TABLE a", "st").text())
        .startsWith("-- lead");
  }

  @Test
  void semicolonsInsideLiteralsDoNotEndTheStatement() throws SQLException {
    String query = "SELECT 'a;b', E'c\\';d', $$e;f$$, $t$g;$$;h$t$, \"i;j\" /* k; /* l; */ m; */"
        + " FROM x -- n;\n";
    assertThat(QueryText.of(query, "st").text()).isEqualTo(query.strip());
  }

  @Test
  void moreThanOneStatementIs42601() {
    assertFails(() -> QueryText.of("SELECT 1; SELECT 2", "st"), "42601",
        "the defining query of stream table st contains more than one statement");
  }

  @Test
  void nonQueriesAre22023() {
    assertFails(() -> QueryText.of("INSERT INTO t VALUES (1)", "st"), "22023", "not INSERT");
    assertFails(() -> QueryText.of("   ", "st"), "22023", "is empty");
    assertFails(() -> QueryText.of("SELEC id FROM t", "st"), "42601",
        "syntax error at or near \"SELEC\" at position 1 of the defining query of stream table st");
    assertFails(() -> QueryText.of(" /* selec */ (Selct 1)", "st"), "42601",
        "\"Selct\" at position 15");
    assertFails(() -> QueryText.of(";", "st"), "22023", "an empty statement");
  }
}
