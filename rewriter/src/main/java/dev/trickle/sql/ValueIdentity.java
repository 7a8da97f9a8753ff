package dev.trickle.sql;

import java.util.Locale;
import java.util.Set;

/**
 * When two values of a column are the same row version: the one rule that netting a source's
 * changes and consolidating them for a join term share, so both group alike. Values are grouped by
 * value where equality is their identity (and hashable); otherwise by their text, where equality
 * is coarser than the text ({@code numeric} {@code 1.0} and {@code 1.00}, {@code citext}, {@code
 * interval}, floats' zeros) or missing ({@code json}, geometric types). Grouping by text keeps an
 * update from {@code 1.0} to {@code 1.00} an update; grouping by value is cheaper.
 */
public final class ValueIdentity {
  /** Types grouped by value: equal values have equal text. */
  private static final Set<String> EXACT =
      Set.of(
          "smallint", "integer", "bigint", "boolean", "date", "uuid", "bytea", "oid", "\"char\"",
          "timestamp without time zone", "timestamp with time zone", "time without time zone");

  private ValueIdentity() {}

  /** Whether values of {@code type} (as {@code format_type} prints it) are grouped by value. */
  public static boolean byValue(String type) {
    return EXACT.contains(type.toLowerCase(Locale.ROOT));
  }

  /** The {@code GROUP BY} expression of {@code value}, an expression of type {@code type}. */
  public static String groupKey(String value, String type) {
    return byValue(type) ? value : value + "::text COLLATE \"C\"";
  }

  /** The group's {@code value} in the select list of a grouping by {@link #groupKey}. */
  public static String groupValue(String value, String type) {
    return byValue(type) ? value : "min(" + groupKey(value, type) + ")::" + type;
  }
}
