package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.List;

/**
 * Pass {@code rewrite} for {@code INTERSECT ALL} and {@code EXCEPT ALL} of two queries: a row
 * appearing l times on the left and r times on the right appears min(l, r) times in the
 * intersection and max(l − r, 0) times in the difference, so
 *
 * <pre>  SELECT c FROM (SELECT c, count of left rows AS l, count of right rows AS r
 *                 FROM (left tagged 1 UNION ALL right tagged 2) GROUP BY c) AS g,
 *               generate_series(1, least(g.l, g.r))      -- INTERSECT ALL; g.l − g.r for EXCEPT ALL
 * </pre>
 *
 * Rows are grouped as the set operations compare them (NULLs equal). The grouped input is a
 * maintained aggregate whose changed groups carry their old and new counts; the set-returning
 * function expands each into as many rows, so the bag's delta is the difference of the copies.
 */
final class BagSetOperationRewrite {
  private BagSetOperationRewrite() {}

  /**
   * @param with the WITH prefix of the query ("" when none)
   * @param columns the output column names
   * @param intersect INTERSECT ALL (else EXCEPT ALL)
   */
  static String rewrite(String with, List<String> columns, String left, String right, boolean intersect) {
    String side = Sql.identifier("__pgt_side");
    String cols = Sql.identifiers(columns);
    String leftCount = Sql.identifier("__pgt_l");
    String rightCount = Sql.identifier("__pgt_r");
    String tagged = "SELECT " + cols + ", 1 AS " + side + " FROM (" + left + ") AS a(" + cols
        + ") UNION ALL SELECT " + cols + ", 2 AS " + side + " FROM (" + right + ") AS b(" + cols + ")";
    String grouped = "SELECT " + cols + ", sum(CASE WHEN " + side + " = 1 THEN 1 ELSE 0 END) AS " + leftCount
        + ", sum(CASE WHEN " + side + " = 2 THEN 1 ELSE 0 END) AS " + rightCount + " FROM (" + tagged
        + ") AS t GROUP BY " + cols;
    String g = Sql.identifier("__pgt_bag");
    String copies = intersect
        ? "least(" + g + "." + leftCount + ", " + g + "." + rightCount + ")"
        : g + "." + leftCount + " - " + g + "." + rightCount;
    return with + "SELECT " + DeltaNames.columnList(g, columns) + " FROM (" + grouped + ") AS " + g
        + " CROSS JOIN generate_series(1, " + copies + ") AS " + Sql.identifier("__pgt_copy");
  }
}
