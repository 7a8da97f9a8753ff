package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How concurrent maintenances of a join can run side by side: every row of its result, and every
 * row of every source that can join into one, is tied to one value of the join key, and a
 * maintenance changes and reads only the rows of the key values of its sources' changed rows. A
 * maintenance that locks those values (read from the old and new images in the delta tables) before
 * it reads or writes any stream table row, and holds them to the end of its transaction, computes
 * exactly what it would compute alone; writers of other values need not wait for it. See {@link
 * JoinKeyClass} for the plans that offer it and why.
 *
 * @param columns source oid → its columns in the join key's equivalence class (a self-join may put
 *     several columns of one source there)
 * @param family how the key's values are hashed so that equal values hash alike
 */
public record KeyLocking(Map<Long, Set<String>> columns, Family family) {
  public KeyLocking {
    columns = Map.copyOf(columns);
  }

  /**
   * The types whose equality a hash can follow exactly. Text is not among them: under a
   * nondeterministic collation two different strings are equal, and the delta tables do not
   * carry the collation to hash by.
   */
  public enum Family {
    /** {@code smallint}, {@code integer}, {@code bigint}: equal across the three, hashed as bigint. */
    INTEGER,
    /** {@code uuid}. */
    UUID;

    /** The family of a type as {@code format_type} names it, or null. */
    static Family of(String type) {
      return switch (type) {
        case "smallint", "integer", "bigint" -> INTEGER;
        case "uuid" -> UUID;
        default -> null;
      };
    }

    /** A hash of {@code value} (SQL), equal for every pair of values {@code =} says are equal. */
    public String hash(String value) {
      return switch (this) {
        case INTEGER -> "pg_catalog.hashint8((" + value + ")::pg_catalog.int8)";
        case UUID -> "pg_catalog.uuid_hash(" + value + ")";
      };
    }
  }

  /**
   * A query of one column {@code h}: the hash of every key value of the changed rows in the delta
   * tables of {@code changed} (each a FROM item with its rows' columns, as {@link
   * DeltaNames#deltaTable} names it).
   */
  public String keyHashes(Set<Long> changed) {
    List<String> parts = changed.stream().sorted().filter(columns::containsKey)
        .flatMap(oid -> columns.get(oid).stream().sorted().map(column ->
            "SELECT " + family.hash("d." + Sql.identifier(column)) + " AS h FROM "
                + DeltaNames.deltaTable(oid) + " AS d"))
        .toList();
    return String.join(" UNION ALL ", parts);
  }
}
