package dev.trickle.ivm;

import dev.trickle.rewriter.parse.RelationColumn;
import dev.trickle.sql.Sql;
import dev.trickle.sql.ValueIdentity;
import java.util.ArrayList;
import java.util.List;

/**
 * The FROM item reading a source's delta in a join delta term projected to the columns the term
 * names ({@link TermColumns}) and consolidated on them: the changes that cancel there are gone
 * before anything is joined. An update of a column the query never reads (a comment) is a deleted
 * and an inserted image equal on every column the term reads; read whole, the pair is joined
 * through every other input of the query (in TPC-H Q5, Q8 and Q9, a one-row change of a nation's
 * comment through nation, supplier or customer, orders and lineitem, hundreds of milliseconds), and
 * only the final consolidation finds that it changed nothing. Here it is netted away, and the term
 * is driven by an empty relation.
 *
 * <p>The rows are grouped by the named columns and their weights summed, so it is exact for bags:
 * duplicates keep their multiplicity (a deleted image is cancelled by an equal inserted one, not by
 * its absence). The weight is the net multiplicity of a projected row, which the term's weight
 * product carries as any other. Columns are compared by value where equality is their identity,
 * otherwise by their text, as the delta fill does ({@link ValueIdentity}): {@code numeric} {@code 1.0} and {@code 1.00} stay
 * apart, and types without equality ({@code json}, geometric ones) can be grouped.
 *
 * <p>Only for a base relation whose term names fewer than all of its columns; otherwise the delta
 * table is read as it is (the fill has netted it on all columns already, and its statistics stay
 * visible to the planner).
 */
final class ProjectedDelta {
  /** The grouped rows' alias, never a user's (the {@code __pgt_} prefix is reserved). */
  private static final String CHANGES = Sql.identifier("__pgt_changes");

  private ProjectedDelta() {}

  /** The FROM item for {@code input}'s delta in a term naming {@code named}'s columns. */
  static String of(Input input, TermColumns named) {
    if (input.derived() != null || input.isFunction()) {
      return input.delta();
    }
    List<String> columns = named.of(input);
    List<RelationColumn> all = input.relation().columns();
    if (columns.size() >= all.size()) {
      return input.delta();
    }
    List<String> select = new ArrayList<>();
    List<String> groups = new ArrayList<>();
    for (RelationColumn column : all) {
      if (!columns.contains(column.name())) {
        continue;
      }
      String value = CHANGES + "." + Sql.identifier(column.name());
      select.add(ValueIdentity.groupValue(value, column.type()) + " AS " + Sql.identifier(column.name()));
      groups.add(ValueIdentity.groupKey(value, column.type()));
    }
    String sum = "sum(" + CHANGES + "." + DeltaNames.WEIGHT + ")";
    select.add(sum + "::int AS " + DeltaNames.WEIGHT);
    return "(SELECT " + String.join(", ", select) + " FROM "
        + DeltaNames.deltaTable(input.relation().oid()) + " AS " + CHANGES
        + (groups.isEmpty() ? "" : " GROUP BY " + String.join(", ", groups))
        + " HAVING " + sum + " <> 0) AS " + Sql.identifier(input.alias());
  }
}
