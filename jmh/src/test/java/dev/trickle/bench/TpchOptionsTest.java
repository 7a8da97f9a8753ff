package dev.trickle.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TpchOptionsTest {
  @Test
  void defaultsAreScaleFactorPointOneWithBothChangeSizes() {
    TpchOptions o = TpchOptions.parse(new String[0]);
    assertThat(o.scale()).isEqualTo(0.1);
    assertThat(o.changes()).containsExactly(0.001, 0.01);
    assertThat(o.cycles()).isEqualTo(5);
    assertThat(o.queries()).hasSize(22).startsWith(1).endsWith(22);
    assertThat(o.outputDirectory()).isEqualTo(Path.of("docs/benchmarks"));
    assertThat(o.stem()).isEqualTo("tpch");
    assertThat(TpchReport.command(o)).isEqualTo("mvn -B -pl jmh -am -DskipTests -Ptpch-benchmark package");
  }

  @Test
  void readsScaleChangesAndQueriesAndNamesOtherScalesApart() {
    TpchOptions o = TpchOptions.parse(new String[] {"--scale", "1", "--changes=0.1%", "--queries", "1,6",
        "--cycles=3", "--log-statements"});
    assertThat(o.scaleLabel()).isEqualTo("1");
    assertThat(o.stem()).isEqualTo("tpch-sf1");
    assertThat(o.changes()).containsExactly(0.001);
    assertThat(TpchOptions.percent(0.001)).isEqualTo("0.1%");
    assertThat(o.queries()).containsExactly(1, 6);
    assertThat(o.cycles()).isEqualTo(3);
    assertThat(o.logStatements()).isTrue();
    assertThat(TpchReport.command(o)).endsWith(
        "-Dexec.args=\"--scale 1 --changes=0.1% --queries 1,6 --cycles=3 --log-statements\"");
  }

  @Test
  void takesQueriesByNumberOrName() {
    assertThat(TpchOptions.parse(new String[] {"--queries", "Q19, q11,22"}).queries())
        .containsExactly(19, 11, 22);
    assertThatThrownBy(() -> TpchOptions.parse(new String[] {"--queries", "Q23"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Q23' is not a TPC-H query");
  }

  @Test
  void refusesUnknownOptionsAndTooFewCycles() {
    assertThatThrownBy(() -> TpchOptions.parse(new String[] {"--sizes", "1"}))
        .hasMessageContaining("unknown option --sizes");
    assertThatThrownBy(() -> TpchOptions.parse(new String[] {"--cycles", "1"}))
        .hasMessageContaining("at least 2");
  }
}
