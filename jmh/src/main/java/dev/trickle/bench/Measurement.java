package dev.trickle.bench;

import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * One benchmark's score as JMH reports it: the mean, the half-width of its 99.9% confidence
 * interval, and the unit; also the median of the measurement iterations, which a burst of load from
 * another process on the machine moves less than the mean.
 */
record Measurement(double score, double error, double median, String unit) {
  /** The primary result of one JMH run. */
  static Measurement of(RunResult run) {
    Result<?> primary = run.getPrimaryResult();
    return new Measurement(
        primary.getScore(),
        primary.getScoreError(),
        primary.getStatistics().getPercentile(50),
        primary.getScoreUnit());
  }

  /** The error relative to the score; NaN when JMH had too few samples to give an error. */
  double relativeError() {
    return error / score;
  }

  /** {@code score ± error} with the given number of decimals. */
  String format(int decimals) {
    String pattern = "%." + decimals + "f";
    String value = String.format(Locale.ROOT, pattern, score);
    return Double.isNaN(error)
        ? value + " ± ?"
        : value + " ± " + String.format(Locale.ROOT, pattern, error);
  }
}
