package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.List;

/**
 * The FROM item reading an input as it was before the refresh's changes: its current rows with
 * weight +1 and its consumed changes with their weights negated, {@code R₀ = R₁ − ΔR} as a bag.
 * The telescoped join delta ({@link DeltaTerms}) joins a changed input's delta with the pre-change
 * state of the changed inputs after it. It is one {@code UNION ALL} of two simple branches, which
 * PostgreSQL flattens into an append relation, so a join condition still reaches the index of the
 * relation (a parameterized index scan per delta row) instead of scanning it whole.
 *
 * <p>Only the columns a term names are listed ({@link TermColumns}; a base relation's other columns
 * may be dropped or added while the compiled plan is kept).
 */
final class PreChangeState {
  /** The branches' own aliases, never a user's alias (the {@code __pgt_} prefix is reserved). */
  private static final String NOW = Sql.identifier("__pgt_now");

  private static final String CHANGED = Sql.identifier("__pgt_changes");

  private final TermColumns named;

  /** @param named the columns the term the state is read in names */
  PreChangeState(TermColumns named) {
    this.named = named;
  }

  /** The FROM item {@code (... UNION ALL ...) AS "alias"}, with the weight column. */
  String of(Input input) {
    String alias = Sql.identifier(input.alias());
    List<String> columns = named.of(input);
    String now = DeltaNames.columnList(NOW, columns);
    String changed = DeltaNames.columnList(CHANGED, columns);
    String source = input.derived() != null
        ? "(" + input.derived().currentSql() + ")"
        : Sql.qualified(input.relation().schema(), input.relation().name());
    String deltaTable =
        input.derived() != null ? input.derived().deltaTable() : DeltaNames.deltaTable(input.relation().oid());
    return "(SELECT " + now + (columns.isEmpty() ? "" : ", ") + "1 AS " + DeltaNames.WEIGHT + " FROM "
        + source + " AS " + NOW + " UNION ALL SELECT " + changed + (columns.isEmpty() ? "" : ", ") + "-"
        + CHANGED + "." + DeltaNames.WEIGHT + " FROM " + deltaTable + " AS " + CHANGED + ") AS " + alias;
  }
}
