package dev.trickle.bench;

import java.util.Locale;

/**
 * How many source rows one change touches: a fixed count ({@code 1000}) or a share of the source
 * ({@code 1%}).
 *
 * @param rows the fixed count, or 0 for a share
 * @param percent the share in percent, or 0 for a fixed count
 */
public record ChangeSize(int rows, double percent) {
  /** Validates that exactly one of the two is given and positive. */
  public ChangeSize {
    if ((rows > 0) == (percent > 0) || rows < 0 || percent < 0 || percent > 100) {
      throw new IllegalArgumentException("a change size is a positive row count or a percentage");
    }
  }

  /** Parses a row count ({@code 10}, {@code 1000}) or a share ({@code 1%}, {@code 0.5%}). */
  public static ChangeSize parse(String text) {
    String t = text.trim();
    try {
      if (t.endsWith("%")) {
        return new ChangeSize(0, Double.parseDouble(t.substring(0, t.length() - 1)));
      }
      return new ChangeSize(Integer.parseInt(t), 0);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad change size '" + text + "'", e);
    }
  }

  /** The number of rows this change touches in a source of {@code sourceRows} rows (at least 1). */
  public int rowsFor(int sourceRows) {
    return rows > 0 ? rows : Math.max(1, (int) Math.round(sourceRows * percent / 100.0));
  }

  /** How the change is shown in the report: {@code 10}, {@code 1,000} or {@code 1% (10,000)}. */
  public String label(int sourceRows) {
    String count = String.format(Locale.ROOT, "%,d", rowsFor(sourceRows));
    if (rows > 0) {
      return count;
    }
    return share() + " (" + count + ")";
  }

  /** The size as written on the command line: {@code 10} or {@code 1%}. */
  @Override
  public String toString() {
    return rows > 0 ? String.valueOf(rows) : share();
  }

  private String share() {
    return (percent == Math.rint(percent) ? String.valueOf((long) percent) : String.valueOf(percent)) + "%";
  }
}
