package dev.trickle.bench;

import java.util.Locale;

/**
 * One statement loop measured through plain PgJDBC and through the Trickle driver in the same run,
 * and the ratio that says what the Trickle driver costs.
 *
 * <p>The ratio's error propagates the two relative errors in quadrature, treating the two
 * measurements as independent: {@code δr/r = sqrt((δt/t)² + (δp/p)²)}.
 */
record DriverComparison(String loop, Measurement plain, Measurement trickle) {
  /** The overhead Trickle aims to stay within: 1% of the plain driver's time. */
  static final double TARGET_RATIO = 1.01;

  /** Trickle's time over plain PgJDBC's: 1.0 means no overhead. */
  double ratio() {
    return trickle.score() / plain.score();
  }

  /** The half-width of the ratio's confidence interval. */
  double ratioError() {
    return ratio() * Math.hypot(trickle.relativeError(), plain.relativeError());
  }

  /** Trickle's median iteration over plain PgJDBC's: less sensitive to bursts of load. */
  double medianRatio() {
    return trickle.median() / plain.median();
  }

  /** {@code ratio ± error}, four decimals. */
  String formatRatio() {
    return String.format(Locale.ROOT, "%.4f ± %.4f", ratio(), ratioError());
  }

  /** The overhead in percent with its error, e.g. {@code +0.42% ± 1.10%}. */
  String formatOverhead() {
    return String.format(Locale.ROOT, "%+.2f%% ± %.2f%%", (ratio() - 1) * 100, ratioError() * 100);
  }

  /**
   * Whether the whole confidence interval lies within the target ("meets"), above it ("misses"), or
   * straddles it ("not resolved": the error bars are wider than the distance to the target).
   */
  String verdict() {
    double error = ratioError();
    if (Double.isNaN(error)) {
      return "not resolved (no error estimate)";
    }
    if (ratio() + error <= TARGET_RATIO) {
      return "meets";
    }
    if (ratio() - error > TARGET_RATIO) {
      return "misses";
    }
    return "not resolved at this precision";
  }
}
