package dev.trickle.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BenchmarkOptionsTest {
  @Test
  void defaultsAreTheFullRun() {
    BenchmarkOptions o = BenchmarkOptions.parse();
    assertThat(o.sizes()).containsExactly(10_000, 100_000, 1_000_000);
    assertThat(o.changes()).extracting(ChangeSize::toString).containsExactly("10", "1000", "1%");
    assertThat(o.repetitions()).isEqualTo(5);
    assertThat(o.samples()).isEqualTo(15);
    assertThat(o.warmup()).isEqualTo(100);
    assertThat(o.settle()).isEqualTo(3);
    assertThat(o.queries()).containsExactly(BenchmarkQuery.values());
    assertThat(o.outputDirectory()).isEqualTo(Path.of("docs", "benchmarks"));
    assertThat(ResultReport.command(o)).isEqualTo("mvn -B -pl jmh -am -DskipTests -Prefresh-benchmark package");
  }

  @Test
  void readsSpaceAndEqualsFormsAndKeepsTheArgumentsForTheReport() {
    BenchmarkOptions o =
        BenchmarkOptions.parse("--sizes", "100000,10000", "--queries=scan,TopK", "--repetitions=3", "--warmup", "0",
            "--settle=0", "--samples", "1", "--debug-plan");
    assertThat(o.sizes()).containsExactly(10_000, 100_000);
    assertThat(o.queries()).containsExactly(BenchmarkQuery.SCAN, BenchmarkQuery.TOPK);
    assertThat(o.repetitions()).isEqualTo(3);
    assertThat(o.warmup()).isZero();
    assertThat(o.settle()).isZero();
    assertThat(o.samples()).isEqualTo(1);
    assertThat(o.debugPlan()).isTrue();
    assertThat(ResultReport.command(o))
        .endsWith("-Dexec.args=\"--sizes 100000,10000 --queries=scan,TopK --repetitions=3 --warmup 0 --settle=0 --samples 1 --debug-plan\"");
  }

  @Test
  void capsTheHierarchy() {
    BenchmarkOptions o = BenchmarkOptions.parse("--tree-max", "100000");
    assertThat(o.treeSizeFor(100_000)).isEqualTo(100_000);
    assertThat(o.treeSizeFor(1_000_000)).isZero();
  }

  @Test
  void refusesWhatItDoesNotKnow() {
    assertThatThrownBy(() -> BenchmarkOptions.parse("--size", "10"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--size");
    assertThatThrownBy(() -> BenchmarkOptions.parse("--queries", "scan,cube"))
        .hasMessageContaining("cube");
    assertThatThrownBy(() -> BenchmarkOptions.parse("--repetitions", "0")).hasMessageContaining("positive");
    assertThatThrownBy(() -> BenchmarkOptions.parse("--sizes")).hasMessageContaining("needs a value");
  }
}
