package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * NULL-safe equality of key columns, written so PostgreSQL can still probe an index: {@code a = b}
 * for columns that cannot be NULL, {@code (a = b OR (a IS NULL AND b IS NULL))} for the others
 * (instead of {@code IS NOT DISTINCT FROM}, which no index supports).
 */
final class KeyMatch {
  private KeyMatch() {}

  /**
   * The condition matching {@code left.leftColumns[i]} to {@code rightExpressions[i]}; {@code TRUE}
   * for an empty key.
   */
  static String of(List<String> leftExpressions, List<String> rightExpressions, List<Boolean> nullable) {
    if (leftExpressions.isEmpty()) {
      return "TRUE";
    }
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < leftExpressions.size(); i++) {
      String l = leftExpressions.get(i);
      String r = rightExpressions.get(i);
      parts.add(
          nullable.get(i)
              ? "(" + l + " = " + r + " OR (" + l + " IS NULL AND " + r + " IS NULL))"
              : l + " = " + r);
    }
    return String.join(" AND ", parts);
  }

  /** {@code alias."c"} for each column name. */
  static List<String> columns(String alias, List<String> names) {
    return names.stream().map(n -> alias + "." + Sql.identifier(n)).toList();
  }
}
