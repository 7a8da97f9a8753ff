package dev.trickle.refresh;

import dev.trickle.catalog.Column;
import dev.trickle.sql.Sql;
import dev.trickle.sql.ValueIdentity;
import java.util.ArrayList;
import java.util.List;

/**
 * The query of a source's delta: its consumed buffer rows netted per row version before any
 * expression of the defining query sees them. A row inserted and deleted again between two
 * refreshes, or updated to a value and away from it again, leaves an {@code 'I'} and a {@code 'D'}
 * image of the same values that cancel; without netting the delta rules would evaluate the query's
 * expressions on such a version (a {@code 100 / d} over a {@code d = 0} that no longer exists
 * raised 22012 on every refresh until the stream table was suspended, though the query ran fine on
 * the current data). What is left of a version is its net multiplicity, written as that many rows
 * of weight +1 or -1, so the delta rules keep reading rows of unit weight. A row version is the
 * whole row (a keyed table's key is part of it, and a keyless table's duplicates are counted), so
 * netting is exact for both.
 *
 * <p>Versions are told apart by their values' text where equality is coarser than the text ({@code
 * numeric} {@code 1.0} and {@code 1.00}, {@code citext}, {@code interval}, floats' zeros) or
 * missing ({@code json}, geometric types): an update from {@code 1.0} to {@code 1.00} stays an
 * update ({@link ValueIdentity}, the rule {@code ProjectedDelta} shares). A truncation marker ({@code 'T'}, weight 0) is kept as
 * one row: it makes the refresh FULL.
 *
 * <p>Cost: one hash aggregate over the consumed rows, in the same statement that scans the buffer.
 * The copies of a version come from {@code generate_series} in a select list (a project-set step
 * per group), not from a lateral function scan, which fills a tuple store for every group.
 */
final class NettedChanges {
  private NettedChanges() {}

  /**
   * {@code SELECT <columns>, __pgt_w} of the netted changes, from {@code consumable} ({@code FROM}
   * and {@code WHERE} over the buffer's rows, aliased {@code b}, with their row images as {@code
   * r}).
   */
  static String query(List<Column> columns, String consumable) {
    List<String> inner = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    List<String> outer = new ArrayList<>();
    List<String> copied = new ArrayList<>();
    for (Column column : columns) {
      String name = Sql.identifier(column.name());
      String value = "r." + name;
      inner.add(ValueIdentity.groupValue(value, column.type()) + " AS " + name);
      groups.add(ValueIdentity.groupKey(value, column.type()));
      outer.add("n." + name);
      copied.add("n." + name);
    }
    inner.add("b.__pgt_op = 'T' AS __pgt_t");
    inner.add("sum(CASE b.__pgt_op WHEN 'I' THEN 1 WHEN 'D' THEN -1 ELSE 0 END) AS __pgt_net");
    groups.add("b.__pgt_op = 'T'");
    outer.add("CASE WHEN n.__pgt_t THEN 0 WHEN n.__pgt_net > 0 THEN 1 ELSE -1 END AS \"__pgt_w\"");
    outer.add("generate_series(1, CASE WHEN n.__pgt_t THEN 1 ELSE abs(n.__pgt_net) END)"
        + " AS __pgt_copy");
    copied.add("n.\"__pgt_w\"");
    return "SELECT "
        + String.join(", ", copied)
        + " FROM (SELECT "
        + String.join(", ", outer)
        + " FROM (SELECT "
        + String.join(", ", inner)
        + consumable
        + " GROUP BY "
        + String.join(", ", groups)
        + ") AS n WHERE n.__pgt_t OR n.__pgt_net <> 0) AS n";
  }
}
