package dev.trickle.tpch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The 22 query resources keep the shape the workload promises. */
class TpchQueryTest {
  @Test
  void twentyTwoQueriesInOrder() {
    List<TpchQuery> all = TpchQuery.all();
    assertThat(all).hasSize(TpchQuery.COUNT);
    assertThat(all.get(0).key()).isEqualTo("q01");
    assertThat(all.get(21).title()).isEqualTo("Q22");
  }

  @Test
  void orderByOnlyWithLimitAndNoTrailingSemicolon() {
    for (TpchQuery q : TpchQuery.all()) {
      String text = q.sql().toLowerCase(java.util.Locale.ROOT);
      boolean limited = text.contains("\nlimit ");
      assertThat(text.contains("\norder by")).as("%s keeps ORDER BY only with LIMIT", q.title()).isEqualTo(limited);
      assertThat(text).as(q.title()).doesNotEndWith(";");
    }
    assertThat(TpchQuery.all().stream().filter(q -> q.sql().contains("\nlimit ")).map(TpchQuery::number))
        .containsExactly(2, 3, 10, 18, 21);
  }

  @Test
  void queryFifteenCarriesItsViewAsCte() {
    assertThat(TpchQuery.of(15).sql()).startsWith("with revenue0 (supplier_no, total_revenue) as (");
  }

  @Test
  void generatorLinesBecomeCopyTextRows() {
    StringBuilder b = new StringBuilder();
    TpchLoader.appendRow(b, "1|a\\b|c|");
    assertThat(b).hasToString("1|a\\\\b|c\n");
  }
}
