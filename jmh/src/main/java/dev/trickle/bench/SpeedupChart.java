package dev.trickle.bench;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * Draws {@code refresh-speedup.png} with XChart: for 10 changed rows, how many times faster the
 * DIFFERENTIAL refresh is than {@code REFRESH MATERIALIZED VIEW}, one bar per query and source
 * size on a logarithmic axis, each query's target beside them as a grey bar.
 */
final class SpeedupChart {
  private static final Color TARGET_GREY = new Color(170, 170, 170);

  private final List<RefreshMeasurement> results;

  SpeedupChart(List<RefreshMeasurement> results) {
    this.results = List.copyOf(results);
  }

  /** Renders the chart to {@code file} as PNG; writes nothing when no 10-row change was measured. */
  void write(Path file) throws IOException {
    Map<BenchmarkQuery, Map<Integer, Double>> speedups = new LinkedHashMap<>();
    TreeSet<Integer> sizes = new TreeSet<>();
    for (RefreshMeasurement m : results) {
      if (m.complete() && m.change().rows() == ResultReport.TARGET_CHANGED_ROWS) {
        speedups.computeIfAbsent(m.query(), q -> new LinkedHashMap<>()).put(m.sourceRows(), m.speedupVsMatview());
        sizes.add(m.sourceRows());
      }
    }
    if (speedups.isEmpty()) {
      return;
    }
    CategoryChart chart = new CategoryChartBuilder()
        .width(1200)
        .height(700)
        .title("DIFFERENTIAL refresh vs REFRESH MATERIALIZED VIEW, 10 changed rows")
        .xAxisTitle("query")
        .yAxisTitle("times faster than REFRESH MATERIALIZED VIEW (log scale)")
        .build();
    chart.getStyler().setYAxisLogarithmic(true);
    // Bars start at the axis minimum, which a log axis needs positive: one decade below the lowest.
    double lowest = speedups.values().stream().flatMap(m -> m.values().stream()).min(Double::compare).orElse(1.0);
    chart.getStyler().setYAxisMin(Math.min(1.0, Math.pow(10, Math.floor(Math.log10(lowest)))));
    chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setYAxisDecimalPattern("#,##0.##");
    chart.getStyler().setXAxisLabelRotation(15);
    List<String> categories = new ArrayList<>();
    List<Double> targets = new ArrayList<>();
    for (BenchmarkQuery q : speedups.keySet()) {
      categories.add(q.title());
      targets.add((double) q.targetSpeedup());
    }
    for (int size : sizes) {
      List<Double> values = new ArrayList<>();
      for (Map<Integer, Double> bySize : speedups.values()) {
        values.add(bySize.get(size));
      }
      chart.addSeries(String.format(Locale.ROOT, "%,d rows", size), categories, values);
    }
    chart.addSeries("target", categories, targets).setFillColor(TARGET_GREY);
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapFormat.PNG);
    }
  }
}
