package dev.trickle.sql;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * When two values of a column are the same row version: the one rule that netting a source's
 * changes and consolidating them for a join term share, so both group alike. Values are grouped by
 * value where equality is their identity (and hashable); otherwise by their text, where equality
 * is coarser than the text ({@code numeric} {@code 1.0} and {@code 1.00}, {@code citext}, {@code
 * interval}, floats' zeros) or missing ({@code json}, geometric types). Grouping by text keeps an
 * update from {@code 1.0} to {@code 1.00} an update; grouping by value is cheaper (measured in
 * {@code docs/benchmarks/README.md}, "Grouping by value").
 *
 * <p>A type modifier can make equality the identity where the bare type is coarser: every value of
 * a {@code numeric(p, s)} has scale {@code s}, so {@code 1.0} and {@code 1.00} cannot both occur;
 * every value of a {@code character(n)} is padded to {@code n}, so the trailing blanks that its
 * equality ignores are the same in both. The values grouped are always of the printed type (a
 * column of it, or a cast to it), so the modifier holds for each.
 */
public final class ValueIdentity {
  /** Types grouped by value: equal values have equal text. */
  private static final Set<String> EXACT =
      Set.of(
          "smallint", "integer", "bigint", "boolean", "date", "uuid", "bytea", "oid", "\"char\"",
          "timestamp without time zone", "timestamp with time zone", "time without time zone");

  /**
   * Types whose modifier makes equality the identity: a fixed scale, a fixed padded length, a
   * precision of the exact time types.
   */
  private static final Pattern EXACT_WITH_MODIFIER =
      Pattern.compile(
          "numeric\\(\\d+(, ?-?\\d+)?\\)|character\\(\\d+\\)"
              + "|timestamp\\(\\d\\) with(out)? time zone|time\\(\\d\\) without time zone");

  private ValueIdentity() {}

  /** Whether values of {@code type} (as {@code format_type} prints it) are grouped by value. */
  public static boolean byValue(String type) {
    String lower = type.toLowerCase(Locale.ROOT);
    return EXACT.contains(lower) || EXACT_WITH_MODIFIER.matcher(lower).matches();
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
