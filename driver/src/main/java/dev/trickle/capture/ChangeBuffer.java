package dev.trickle.capture;

import dev.trickle.sql.Sql;
import java.util.List;

/**
 * The names of the capture objects of one source relation. The buffer {@code
 * pgtrickle_changes."changes_<oid>"} has the columns {@code __pgt_seq} (identity), {@code
 * __pgt_xid} (the writing transaction, {@code xid8}), {@code __pgt_op} ({@code 'I'} inserted row
 * image, {@code 'D'} deleted row image, {@code 'T'} truncate marker), a typed column {@code
 * __pgt_a<attnum>_t<type oid>} per source column (its type without typmod and domains, added by
 * the catalog function that writes the capture function), and {@code __pgt_row}: the row image as
 * {@code json} (an object keyed by the source's column names) for a row whose values are not in
 * the typed columns (the capture's fallback after a schema change of the source, and the WAL
 * consumer's while the buffer lacks a typed column for one of the source's); null for typed rows
 * and for {@code 'T'}.
 *
 * @param sourceRelid the oid of the captured relation (of the parent, for partitioned tables)
 */
public record ChangeBuffer(long sourceRelid) {
  /** The schema of buffers and capture functions. */
  public static final String SCHEMA = "pgtrickle_changes";

  /** The buffer column holding the row image as json, null for a row in the typed columns. */
  public static final String ROW_COLUMN = "__pgt_row";

  /** The trigger names installed on a captured relation (and on each of its partitions). */
  public static final List<String> TRIGGER_NAMES =
      List.of(
          "pgtrickle_capture_ins",
          "pgtrickle_capture_upd",
          "pgtrickle_capture_del",
          "pgtrickle_capture_trunc");

  /**
   * The SQL expression naming the typed buffer column of a source attribute, {@code
   * __pgt_a<attnum>_t<type oid>}, from a {@code pg_attribute} row aliased {@code alias} (the name
   * the catalog function {@code pgtrickle.create_capture_function} gives it).
   */
  public static String typedColumnName(String alias) {
    return "'__pgt_a' || " + alias + ".attnum || '_t' || " + alias + ".atttypid";
  }

  /** The buffer table's name (unqualified). */
  public String tableName() {
    return "changes_" + sourceRelid;
  }

  /** {@code "pgtrickle_changes"."changes_<oid>"}. */
  public String qualifiedTable() {
    return Sql.qualified(SCHEMA, tableName());
  }

  /** {@code "pgtrickle_changes"."capture_<oid>"}: the trigger function. */
  public String qualifiedFunction() {
    return Sql.qualified(SCHEMA, "capture_" + sourceRelid);
  }
}
