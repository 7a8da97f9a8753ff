package dev.trickle.ivm;

import java.util.Locale;
import java.util.Set;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.TimeKeyExpression;
import net.sf.jsqlparser.schema.Column;

/**
 * Recognizes expressions whose value depends on the time they are evaluated at. PostgreSQL marks
 * {@code now()} and its relatives STABLE, not VOLATILE (they are constant within a statement or
 * transaction), so the volatility check alone lets them through; but a differential refresh
 * evaluates the query only for the changed rows, so each stored row would keep the time of the
 * refresh that wrote it while the query gives every row the time it runs at. Such a query has no
 * differential rule: DIFFERENTIAL refuses it and AUTO maintains it by FULL.
 */
final class TimeDependence {
  /** Functions (folded, unqualified) reading the clock or the transaction's time. */
  private static final Set<String> FUNCTIONS =
      Set.of(
          "now", "transaction_timestamp", "statement_timestamp", "clock_timestamp", "timeofday",
          "current_timestamp", "current_date", "current_time", "localtime", "localtimestamp");

  /** SQL's time keywords, written without parentheses and not a column when unquoted. */
  private static final Set<String> KEYWORDS =
      Set.of("current_timestamp", "current_date", "current_time", "localtime", "localtimestamp");

  private TimeDependence() {}

  /** The time-dependent function a call names, as the user wrote it, or null. */
  static String of(Function function) {
    String name = function.getName();
    if (name == null) {
      return null;
    }
    String folded = BlockAnalyzer.lastPart(name).toLowerCase(Locale.ROOT);
    boolean ageOfOne = folded.equals("age") && function.getParameters() != null
        && function.getParameters().size() == 1;
    return FUNCTIONS.contains(folded) || ageOfOne ? BlockAnalyzer.lastPart(name) : null;
  }

  /** The keyword ({@code CURRENT_DATE}, ...) as written, or null for other expressions. */
  static String of(TimeKeyExpression keyword) {
    String text = keyword.getStringValue();
    String word = text.strip().split("[\\s(]", 2)[0];
    return KEYWORDS.contains(word.toLowerCase(Locale.ROOT)) ? word : null;
  }

  /** The keyword an unqualified, unquoted column stands for ({@code localtimestamp}), or null. */
  static String of(Column column) {
    String name = column.getColumnName();
    boolean bare = column.getTable() == null || column.getTable().getName() == null;
    return bare && !name.startsWith("\"") && KEYWORDS.contains(name.toLowerCase(Locale.ROOT))
        ? name
        : null;
  }
}
