package dev.trickle.ivm;

import java.util.List;

/**
 * Where a plan sends its output delta (a query of signed rows with the plan's columns and the
 * weight): applied to the storage table for the stream table itself, or kept in a temporary table
 * for a derived input that a parent plan reads.
 */
@FunctionalInterface
interface DeltaSink {
  /** The steps that consume {@code signedRows}. */
  List<Step> accept(String signedRows);

  /** A sink keeping the consolidated delta in {@code table}. */
  static DeltaSink temporaryTable(String table, List<String> columns) {
    return rows ->
        List.of(Step.fill(table, Consolidation.of(columns, rows, Consolidation.Keep.NONZERO)));
  }
}
