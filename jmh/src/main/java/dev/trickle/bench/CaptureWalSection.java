package dev.trickle.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The WAL capture section of the capture benchmark's report ({@link CaptureReport}): the writes of
 * the WAL contender against the bare table and trigger capture, with the targets of WAL capture,
 * and the change-to-visible latency of both ways of capturing.
 */
final class CaptureWalSection {
  /** A measured quantity of {@link CaptureReport}. */
  record Row(String name, Function<CaptureBenchmark.Results, List<Double>> values,
      boolean lowerIsBetter) {}

  /** WAL capture's targets as ratios to bare, by measure name (single-row and TPS). */
  private static final Map<String, Double> TARGETS = Map.of(
      "single-row INSERT, median ms", 1.05,
      "single-row UPDATE, median ms", 1.05,
      "single-row DELETE, median ms", 1.05,
      "TPS (pgbench -N transaction)", 0.95);

  private CaptureWalSection() {}

  static String render(Map<CaptureContender, CaptureBenchmark.Results> results, List<Row> rows) {
    CaptureBenchmark.Results bare = results.get(CaptureContender.BARE);
    CaptureBenchmark.Results trigger = results.get(CaptureContender.TRIGGER);
    CaptureBenchmark.Results wal = results.get(CaptureContender.WAL);
    StringBuilder md = new StringBuilder();
    md.append("\n## WAL capture against the bare table and trigger capture\n\n")
        .append("Contender `wal`: ").append(CaptureContender.WAL.description)
        .append(" (the consumer runs in the benchmark's process, as the scheduler's leader would;")
        .append(" the server decodes all WAL written, the other contenders' too, while it runs).")
        .append(" Its rows are consumed by the same untimed refreshes.\n\n")
        .append("| measure | bare | trigger | wal | wal / bare | target | |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (Row row : rows) {
      double b = CaptureReport.median(row.values().apply(bare));
      double t = CaptureReport.median(row.values().apply(trigger));
      double w = CaptureReport.median(row.values().apply(wal));
      double ratio = w / b;
      Double target = TARGETS.get(row.name());
      md.append("| ").append(row.name()).append(" | ").append(CaptureReport.num(b)).append(" | ")
          .append(CaptureReport.num(t)).append(" | ").append(CaptureReport.num(w)).append(" | ")
          .append(String.format(Locale.ROOT, "%.2fx", ratio)).append(" | ");
      if (target == null) {
        md.append("| |\n");
      } else {
        boolean met = row.lowerIsBetter() ? ratio <= target : ratio >= target;
        md.append(row.lowerIsBetter() ? "≤ " : "≥ ").append(target).append("x | ")
            .append(met ? "met" : "missed").append(" |\n");
      }
    }
    double tv = CaptureReport.median(trigger.visible);
    double wv = CaptureReport.median(wal.visible);
    double ratio = wv / tv;
    md.append("\nChange to visible: a single-row UPDATE committed in autocommit, then, from its")
        .append(" return, a refresh of the contender's stream table until it returns with the")
        .append(" change (for WAL capture the refresh waits until the consumer has written it);")
        .append(" median per round, then the median of the rounds.\n\n")
        .append("| measure | trigger | wal | wal / trigger | target | |\n")
        .append("|---|---|---|---|---|---|\n")
        .append("| change to visible, p50 ms | ").append(CaptureReport.num(tv)).append(" | ")
        .append(CaptureReport.num(wv))
        .append(" | ").append(String.format(Locale.ROOT, "%.2fx", ratio)).append(" | ≤ 2.0x | ")
        .append(ratio <= 2.0 ? "met" : "missed").append(" |\n")
        .append("\nPer round, trigger: ").append(list(trigger.visible)).append("; wal: ")
        .append(list(wal.visible)).append(".\n");
    return md.toString();
  }

  private static String list(List<Double> values) {
    return String.join(", ", values.stream().map(CaptureReport::num).toList());
  }
}
