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

  /**
   * Like {@link #of}, but rows are equal only when their text is too: {@code numeric} {@code 1.0}
   * and {@code 1.00}, {@code float8} {@code 0} and {@code -0}, {@code jsonb} {@code 1.0} and {@code
   * 1.00} are equal under {@code =} yet print differently. For an applier that finds stored rows by
   * their text, a group that summed a deleted {@code 1.0} with an inserted {@code 1.00} would name
   * a row the storage does not hold.
   */
  static String ofText(List<String> columns, String signedRows, Keep keep) {
    return over(columns, "(" + signedRows + ") AS x", keep, true);
  }

  /** The rows of {@code table} (columns and weight) consolidated over {@code columns}. */
  static String ofTable(List<String> columns, String table, Keep keep) {
    return over(columns, table, keep);
  }

  private static String over(List<String> columns, String from, Keep keep) {
    return over(columns, from, keep, false);
  }

  private static String over(List<String> columns, String from, Keep keep, boolean text) {
    String list = Sql.identifiers(columns);
    String weight = DeltaNames.WEIGHT;
    return "SELECT " + list + ", sum(" + weight + ")::bigint AS " + weight + " FROM " + from
        + " GROUP BY " + list + (text ? ", ROW(" + list + ")::text" : "")
        + " HAVING sum(" + weight + ") " + keep.test;
  }
}
