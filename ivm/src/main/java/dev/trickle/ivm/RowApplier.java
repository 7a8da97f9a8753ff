package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.List;

/**
 * Applies a consolidated signed delta (a temporary table with the storage columns and a weight per
 * distinct row) to the storage table. With a key (unique per row of the result) a weight is −1 or
 * +1 and rows are matched by key through the storage's unique index; without one the storage is a
 * bag and |w| copies are deleted (by ctid) or inserted. Deletes run first, so an update (−old, +new
 * with one key) becomes a delete and an insert. Cost: O(delta rows × index lookups).
 */
final class RowApplier {
  private final StorageNames names;
  private final List<Integer> keyColumns;
  private final List<Boolean> keyNullable;
  private final boolean reported;
  private final List<String> notNullColumns;

  /**
   * @param keyColumns indexes of the storage columns forming a key, or empty for a bag
   */
  RowApplier(StorageNames names, List<Integer> keyColumns, List<Boolean> keyNullable) {
    this(names, keyColumns, keyNullable, true, List.of());
  }

  /**
   * A bag applier that knows which storage columns are never NULL: rows are then matched with
   * {@code =} on those (through an index the setup creates) instead of hashing whole rows.
   */
  static RowApplier bag(StorageNames names, List<String> notNullColumns) {
    return new RowApplier(names, List.of(), List.of(), true, notNullColumns);
  }

  private RowApplier(
      StorageNames names,
      List<Integer> keyColumns,
      List<Boolean> keyNullable,
      boolean reported,
      List<String> notNullColumns) {
    this.notNullColumns = List.copyOf(notNullColumns);
    this.names = names;
    this.keyColumns = List.copyOf(keyColumns);
    this.keyNullable = List.copyOf(keyNullable);
    this.reported = reported;
  }

  /**
   * An applier for a state table (a bag) whose {@code notNullColumns} are indexed by its owner: its
   * row counts are not the stream table's.
   */
  static RowApplier forState(StorageNames state, List<String> notNullColumns) {
    return new RowApplier(state, List.of(), List.of(), false, notNullColumns);
  }

  private Step.Counts counts(Step.Counts kind) {
    return reported ? kind : Step.Counts.NONE;
  }

  boolean keyed() {
    return !keyColumns.isEmpty();
  }

  /** The key's column names, in storage order. */
  List<String> keyNames() {
    return keyColumns.stream().map(i -> names.columns().get(i)).toList();
  }

  /** The unique index that makes keyed matching an index probe. */
  List<Step> setup() {
    if (!keyed()) {
      return notNullColumns.isEmpty()
          ? List.of()
          : List.of(Step.of("CREATE INDEX ON " + names.storage() + " ("
              + Sql.identifiers(notNullColumns.subList(0, Math.min(2, notNullColumns.size()))) + ")"));
    }
    return List.of(
        Step.of(
            "CREATE UNIQUE INDEX ON "
                + names.storage()
                + " ("
                + Sql.identifiers(keyNames())
                + ") NULLS NOT DISTINCT"));
  }

  /**
   * How a storage row {@code t} is a delta row {@code d}: their text forms are equal, as the
   * consolidation groups them ({@code numeric} {@code 1.0} is not the row {@code 1.00}, though
   * {@code =} says so), preceded by {@code =} on the never-NULL columns (index probes); without
   * any never-NULL column the text forms alone, which PostgreSQL can hash-join (one pass over the
   * storage instead of one per delta row).
   */
  private String bagMatch() {
    if (notNullColumns.isEmpty()) {
      return rowText("t") + " = " + rowText("d");
    }
    List<String> parts = new java.util.ArrayList<>();
    for (String column : notNullColumns) {
      parts.add("t." + Sql.identifier(column) + " = d." + Sql.identifier(column));
    }
    parts.add(rowText("t") + " = " + rowText("d"));
    return String.join(" AND ", parts);
  }

  private String rowText(String alias) {
    return "ROW(" + DeltaNames.columnList(alias, names.columns()) + ")::text";
  }

  /**
   * Consolidates {@code signedRows} (a query producing the storage columns plus the weight) into a
   * temporary table and applies it.
   */
  List<Step> apply(String signedRows) {
    return apply("out", signedRows);
  }

  /**
   * Like {@link #apply(String)}, consolidating into the work table of {@code role}: a plan that
   * applies twice in one refresh gives each its own table, so each keeps its shape from refresh to
   * refresh (a session work table is reused only for the same query).
   */
  List<Step> apply(String role, String signedRows) {
    String out = names.temp(role);
    String columns = Sql.identifiers(names.columns());
    Step consolidate =
        Step.fill(
            out,
            Consolidation.ofText(names.columns(), signedRows, Consolidation.Keep.NONZERO));
    if (keyed()) {
      List<String> keys = keyNames();
      String match = KeyMatch.of(KeyMatch.columns("t", keys), KeyMatch.columns("d", keys), keyNullable);
      return List.of(
          consolidate,
          new Step(
              "DELETE FROM " + names.storage() + " AS t USING " + out + " AS d WHERE d."
                  + DeltaNames.WEIGHT + " < 0 AND " + match,
              counts(Step.Counts.DELETED)),
          new Step(
              "INSERT INTO " + names.storage() + " (" + columns + ") SELECT "
                  + DeltaNames.columnList("d", names.columns()) + " FROM " + out + " AS d WHERE d."
                  + DeltaNames.WEIGHT + " > 0",
              counts(Step.Counts.INSERTED)));
    }
    String allMatch = bagMatch();
    return List.of(
        consolidate,
        new Step(
            "DELETE FROM " + names.storage() + " WHERE ctid = ANY (ARRAY(SELECT m.ctid FROM"
                + " (SELECT t.ctid, row_number() OVER (PARTITION BY d.\"__pgt_rid\") AS rn, -d."
                + DeltaNames.WEIGHT + " AS copies FROM " + names.storage()
                + " AS t JOIN (SELECT *, row_number() OVER () AS \"__pgt_rid\" FROM " + out
                + " WHERE " + DeltaNames.WEIGHT + " < 0) AS d ON " + allMatch
                + ") AS m WHERE m.rn <= m.copies))",
            counts(Step.Counts.DELETED)),
        new Step(
            "INSERT INTO " + names.storage() + " (" + columns + ") SELECT "
                + DeltaNames.columnList("d", names.columns()) + " FROM " + out
                + " AS d CROSS JOIN LATERAL generate_series(1, d." + DeltaNames.WEIGHT + ") WHERE d."
                + DeltaNames.WEIGHT + " > 0",
            counts(Step.Counts.INSERTED)));
  }
}
