package dev.trickle.ivm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.rewriter.parse.Relation;
import dev.trickle.rewriter.parse.RelationColumn;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which columns of an input a delta term names, and when it reads the input as a whole row. */
class TermColumnsTest {
  private static final Input T = input("t");

  @Test
  void takesTheColumnsTheTermNamesInTheRelationsOrder() {
    TermColumns named = new TermColumns(
        "SELECT t.c AS \"x\", 1 AS \"__pgt_w\" FROM \"public\".\"t\" AS \"t\" JOIN u ON u.k = t.a");
    assertThat(named.of(T)).containsExactly("a", "c");
    assertThat(named.readsWholeRow(T)).isFalse();
  }

  @Test
  void aQuoteInsideAStringLiteralHidesNoIdentifier() {
    TermColumns named = new TermColumns(
        "SELECT 1 FROM \"public\".\"t\" AS \"t\" WHERE t.note = 'say \"hi' AND t.b > 1.5e3 AND t.\"C\" = 'it''s'");
    assertThat(named.of(T)).containsExactly("b", "C");
  }

  @Test
  void aStarOrTheBareAliasReadsTheWholeRow() {
    assertThat(new TermColumns("SELECT row_to_json(t.*) FROM \"public\".\"t\" AS \"t\"").of(T))
        .containsExactly("a", "b", "c", "C");
    assertThat(new TermColumns("SELECT t::text FROM \"public\".\"t\" AS \"t\"").readsWholeRow(T)).isTrue();
    assertThat(new TermColumns("SELECT t.a FROM \"public\".\"t\" AS \"t\"").readsWholeRow(T)).isFalse();
  }

  private static Input input(String alias) {
    List<RelationColumn> columns = List.of(
        new RelationColumn("a", "integer", true),
        new RelationColumn("b", "numeric(10,2)", false),
        new RelationColumn("c", "text", false),
        new RelationColumn("C", "text", false));
    return new Input(0, alias, new Relation(7L, "public", "t", Relation.Kind.TABLE, columns, List.of("a"), null), Input.JoinType.FIRST, null);
  }
}
