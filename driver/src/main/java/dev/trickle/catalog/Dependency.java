package dev.trickle.catalog;

import dev.trickle.sql.Sql;
import java.util.List;

/**
 * One relation a stream table reads ({@code pgt_dependencies} row).
 *
 * @param sourceRelid the relation's oid
 * @param schema its schema at the time it was recorded
 * @param name its name at the time it was recorded
 * @param kind what kind of relation it is
 * @param columnsUsed the columns the query reads, in the relation's column order (empty when it
 *     reads none, as in {@code count(*)})
 * @param columnTypes the types of {@code columnsUsed} when they were recorded, in the same order
 *     ({@code format_type}; an empty string when unknown)
 */
public record Dependency(
    long sourceRelid,
    String schema,
    String name,
    SourceKind kind,
    List<String> columnsUsed,
    List<String> columnTypes) {
  public Dependency {
    columnsUsed = List.copyOf(columnsUsed);
    columnTypes = List.copyOf(columnTypes);
  }

  /** The recorded type of the {@code i}-th used column, empty when unknown. */
  public String columnType(int i) {
    return i < columnTypes.size() ? columnTypes.get(i) : "";
  }

  /** {@code schema.name} for messages. */
  public String displayName() {
    return Sql.display(schema, name);
  }
}
