package dev.trickle.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlaceholdersTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "SELECT 1                                         | 0",
        "SELECT pgtrickle.create_stream_table(?, ?)       | 2",
        "SELECT f(?, '?', \"?\", $$?$$, $x$?$x$) -- ?     | 1",
        "SELECT ? /* ? /* nested ? */ ? */, E'\\'?', ?    | 2",
        "SELECT '{}'::jsonb ?? 'a', ?                     | 1",
        "SELECT $1, ?                                     | 1",
      })
  void countsPlaceholdersOutsideQuotesAndComments(String sql, int expected) {
    assertThat(Placeholders.count(sql.strip())).isEqualTo(expected);
  }
}
