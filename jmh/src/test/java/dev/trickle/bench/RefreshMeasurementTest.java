package dev.trickle.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RefreshMeasurementTest {
  private static final RefreshRecord DIFFERENTIAL = new RefreshRecord("DIFFERENTIAL", "COMPLETED", null, 1, 1, 2.0);
  private static final RefreshRecord FALLBACK = new RefreshRecord("FULL", "COMPLETED", "too many changes", 9, 9, 50.0);

  @Test
  void speedUpsAreRatiosOfMedians() {
    RefreshMeasurement m = measurement(List.of(3.0, 1.0, 2.0), List.of(DIFFERENTIAL));
    assertThat(m.differential()).isEqualTo(2.0);
    assertThat(m.full()).isEqualTo(20.0);
    assertThat(m.matview()).isEqualTo(200.0);
    assertThat(m.speedupVsMatview()).isEqualTo(100.0);
    assertThat(m.speedupVsFull()).isEqualTo(10.0);
    assertThat(m.changedShare()).isEqualTo(0.001);
    assertThat(RefreshMeasurement.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
  }

  @Test
  void aSingleFallbackMeansNotAllDifferential() {
    assertThat(measurement(List.of(1.0), List.of(DIFFERENTIAL)).allDifferential()).isTrue();
    assertThat(measurement(List.of(1.0, 1.0), List.of(DIFFERENTIAL, FALLBACK)).allDifferential()).isFalse();
  }

  @Test
  void theReportShowsTheVerdictsFromTheNumbers() {
    RefreshMeasurement m = measurement(List.of(2.0), List.of(DIFFERENTIAL));
    BenchmarkOptions options = BenchmarkOptions.parse("--sizes", "10000", "--queries", "scan", "--repetitions", "1");
    RunHeader run = new RunHeader(java.time.Instant.EPOCH, java.time.Duration.ofSeconds(61),
        new MachineInfo("cpu", 2, "1 GiB", "os", "jvm", "PostgreSQL 18"), java.util.Map.of("fsync", "off"));
    String md = new ResultReport(options, run, List.of(m)).render();
    assertThat(md)
        .contains("| 10,000 | 10 | 2.0 | 4.0 | 20.0 | 200 | 100× | 10× | DIFFERENTIAL, equal |")
        .contains("| Scan | 10,000 (target is for 1,000,000) | 100× | 100× | yes |")
        .contains("met in all 1 configurations measured")
        .contains("the run took 1 min 1 s")
        .contains("`fsync = off`");
  }

  private static RefreshMeasurement measurement(List<Double> differential, List<RefreshRecord> records) {
    return new RefreshMeasurement(BenchmarkQuery.SCAN, 10_000, ChangeSize.parse("10"), 10, differential,
        List.of(20.0), List.of(200.0), List.of(4.0), records, false, 0, List.of());
  }
}
