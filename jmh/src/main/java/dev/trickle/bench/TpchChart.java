package dev.trickle.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * Draws the TPC-H chart with XChart: per query, how many times faster the first stream table's
 * refresh is than {@code REFRESH MATERIALIZED VIEW}, one bar per change size, on a logarithmic axis
 * (below 1: slower). Queries that were not DIFFERENTIAL in every cycle get no bar.
 */
final class TpchChart {
  private final List<TpchMeasurement> results;

  TpchChart(List<TpchMeasurement> results) {
    this.results = List.copyOf(results);
  }

  /** Renders the chart to {@code file} as PNG; writes nothing when no query was DIFFERENTIAL. */
  void write(Path file) throws IOException {
    TreeSet<Integer> queries = new TreeSet<>();
    Map<Double, Map<Integer, Double>> byShare = new LinkedHashMap<>();
    for (TpchMeasurement m : results) {
      if (m.allDifferential() && m.speedup() > 0) {
        queries.add(m.query());
        byShare.computeIfAbsent(m.share(), s -> new LinkedHashMap<>()).put(m.query(), m.speedup());
      }
    }
    if (queries.isEmpty()) {
      return;
    }
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(1200)
            .height(650)
            .title(
                "TPC-H: DIFFERENTIAL refresh vs REFRESH MATERIALIZED VIEW (median of cycles after"
                    + " the first)")
            .xAxisTitle("query")
            .yAxisTitle("times faster than REFRESH MATERIALIZED VIEW (log scale)")
            .build();
    chart.getStyler().setYAxisLogarithmic(true);
    double lowest =
        byShare.values().stream()
            .flatMap(m -> m.values().stream())
            .min(Double::compare)
            .orElse(1.0);
    chart.getStyler().setYAxisMin(Math.min(0.1, Math.pow(10, Math.floor(Math.log10(lowest)))));
    chart.getStyler().setLegendPosition(LegendPosition.OutsideE);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setYAxisDecimalPattern("#,##0.##");
    List<String> categories = new ArrayList<>();
    for (int q : queries) {
      categories.add("Q" + q);
    }
    for (Map.Entry<Double, Map<Integer, Double>> e : byShare.entrySet()) {
      List<Double> values = new ArrayList<>();
      for (int q : queries) {
        // XChart needs a value per category; a query missing at this size gets the axis minimum.
        values.add(e.getValue().getOrDefault(q, chart.getStyler().getYAxisMin()));
      }
      chart.addSeries(TpchOptions.percent(e.getKey()) + " changed per cycle", categories, values);
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapFormat.PNG);
    }
  }
}
