package dev.trickle.ivm;

import java.util.List;

/**
 * A derived input of a block — a subquery in FROM, a non-recursive CTE reference, a view, or a
 * branch of a set operation — maintained by its own nested plan. The parent reads its current
 * rows through {@link #currentSql()} and, in a refresh where its sources changed, its
 * consolidated delta from {@link #deltaTable()}, which the nested plan's steps fill first. So
 * every operator composes with every other: the parent's rule sees the child as one more input.
 *
 * @param pseudoOid a negative id naming the input in the parent's changed set
 * @param deltaTable the temporary table the nested plan leaves its delta in
 * @param currentSql a SELECT of the child's current rows with columns {@code columns}
 * @param columns the child's output column names
 * @param plan the nested plan; its output goes to {@code deltaTable}
 */
record Derived(long pseudoOid, String deltaTable, String currentSql, List<String> columns, MaintenancePlan plan) {
  Derived {
    columns = List.copyOf(columns);
  }
}
