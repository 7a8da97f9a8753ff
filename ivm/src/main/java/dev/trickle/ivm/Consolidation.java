package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.List;

/**
 * The weighted consolidation of delta rows, the shape every rule repeats: equal rows summed into
 * one with their weights added ({@code GROUP BY} the columns, {@code sum(__pgt_w)}), keeping the
 * rows whose total weight passes {@link Keep}. Names are parameters, so no rule prints this shape
 * by hand or edits it afterwards.
 */
final class Consolidation {
  /** Which consolidated rows stay. */
  enum Keep {
    /** Rows whose copies do not cancel out: the net delta. */
    NONZERO("<> 0"),
    /** Rows with more insertions than deletions: those present afterwards, for set rules. */
    POSITIVE("> 0");

    private final String test;

    Keep(String test) {
      this.test = test;
    }
  }

  private Consolidation() {}

  /** The query {@code signedRows} (columns and weight) consolidated over {@code columns}. */
  static String of(List<String> columns, String signedRows, Keep keep) {
    return over(columns, "(" + signedRows + ") AS x", keep);
  }

  /** The rows of {@code table} (columns and weight) consolidated over {@code columns}. */
  static String ofTable(List<String> columns, String table, Keep keep) {
    return over(columns, table, keep);
  }

  private static String over(List<String> columns, String from, Keep keep) {
    String list = Sql.identifiers(columns);
    String weight = DeltaNames.WEIGHT;
    return "SELECT " + list + ", sum(" + weight + ")::bigint AS " + weight + " FROM " + from
        + " GROUP BY " + list + " HAVING sum(" + weight + ") " + keep.test;
  }
}
