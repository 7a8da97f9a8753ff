package dev.trickle.ivm;

import dev.trickle.sql.Sql;
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
    String list = Sql.identifiers(columns);
    return rows ->
        List.of(
            Step.fill(table, "SELECT "
                + list + ", sum(" + DeltaNames.WEIGHT + ")::bigint AS " + DeltaNames.WEIGHT + " FROM (" + rows
                + ") AS x GROUP BY " + list + " HAVING sum(" + DeltaNames.WEIGHT + ") <> 0"));
  }
}
