package dev.trickle.ivm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Time-dependent functions (STABLE in PostgreSQL, so not caught as volatile) have no differential
 * rule: the compiler reports the function and its position, wherever in the query it stands.
 */
class TimeDependenceTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "SELECT id, now() AS t FROM emp | time-dependent function now() | 12",
        "SELECT id FROM emp WHERE tag < current_timestamp::text | time-dependent function current_timestamp | 32",
        "SELECT id, clock_timestamp() AS t FROM emp | volatile function clock_timestamp() | 12",
        "SELECT id, localtimestamp AS t FROM emp | time-dependent function localtimestamp | 12",
        "SELECT id, CURRENT_DATE AS t FROM emp | time-dependent function CURRENT_DATE | 12",
        "SELECT id, statement_timestamp() AS t FROM emp | time-dependent function statement_timestamp() | 12",
        "SELECT id, pg_catalog.transaction_timestamp() AS t FROM emp | time-dependent function transaction_timestamp() | 12",
        "SELECT id, age(tag::timestamp) AS t FROM emp | time-dependent function age() | 12",
        "SELECT dept_id, max(now()) AS t FROM emp GROUP BY dept_id | time-dependent function now() | 21",
        "SELECT id, current_time AS t FROM emp | time-dependent function current_time | 12",
      })
  void refusedWithTheFunctionAndItsPosition(String query, String construct, int position) {
    DeltaCompiler compiler = new DeltaCompiler(new FakeCatalog(), s -> {});
    StorageNames storage = new StorageNames("public", "st", List.of("c0", "c1"), "pgtrickle", "state", "1");
    assertThatThrownBy(() -> compiler.compile(query, storage))
        .isInstanceOfSatisfying(UnsupportedQueryException.class, e -> {
          assertThat(e.construct()).isEqualTo(construct);
          assertThat(e.position()).isEqualTo(position);
        });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "SELECT id, tag AS now FROM emp",
        "SELECT e.id, e.tag FROM emp e WHERE e.tag <> 'now()'",
        "SELECT id, age(tag::timestamp, tag::timestamp) AS a FROM emp",
      })
  void namesThatOnlyLookLikeTimeAreCompiled(String query) throws Exception {
    DeltaCompiler compiler = new DeltaCompiler(new FakeCatalog(), s -> {});
    assertThat(compiler.compile(query, new StorageNames("public", "st", List.of("c0", "c1"), "pgtrickle", "state", "1")))
        .isNotNull();
  }
}
