package dev.trickle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which stream table a statement populates or refreshes, for its progress line. */
class LongWorkTest {
  @Test
  void namesTheStreamTableOfEachForm() {
    assertThat(LongWork.of("CREATE STREAM TABLE s.t WITH (schedule = '1m') AS SELECT 1").describe())
        .isEqualTo("populating s.t");
    assertThat(LongWork.of("create stream table if not exists \"My T\" as select 1").describe())
        .isEqualTo("populating \"My T\"");
    assertThat(LongWork.of("CREATE OR REPLACE STREAM TABLE t AS SELECT 2").describe())
        .isEqualTo("repopulating t");
    assertThat(LongWork.of("ALTER STREAM TABLE t SET (query = 'SELECT 3')").describe())
        .isEqualTo("repopulating t");
    assertThat(LongWork.of("REFRESH STREAM TABLE app.t").describe()).isEqualTo("refreshing app.t");
    assertThat(LongWork.of("SELECT pgtrickle.refresh_stream_table('app.t')").refreshes()).isTrue();
    assertThat(
            LongWork.of("SELECT pgtrickle.create_stream_table(name => 'x', query => 'SELECT 1')")
                .describe())
        .isEqualTo("populating x");
    assertThat(LongWork.of("SELECT pgtrickle.alter_stream_table('x', schedule => '5m')").describe())
        .isEqualTo("repopulating x");
    assertThat(LongWork.of("UPDATE orders SET amount = 0").describe()).isEqualTo("running");
  }
}
