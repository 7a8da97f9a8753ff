package dev.trickle.rewriter.parse;

import java.util.List;

/**
 * A relation a defining query reads, as the live catalog describes it: its identity (oid), kind,
 * columns in attribute order and primary key. The delta compiler needs the columns to expand
 * {@code *} and to build NULL rows for outer joins, and the key to choose how to match rows.
 *
 * @param oid the relation's oid (names the change buffer and delta table of the source)
 * @param viewDefinition the view's query text for {@link Kind#VIEW}, else null
 */
public record Relation(
    long oid,
    String schema,
    String name,
    Kind kind,
    List<RelationColumn> columns,
    List<String> primaryKey,
    String viewDefinition) {

  /** How the relation takes part in maintenance. */
  public enum Kind {
    /** An ordinary or partitioned table: captured by triggers. */
    TABLE,
    /** Another stream table: captured by the triggers on its storage. */
    STREAM_TABLE,
    /** A view: expanded to its definition. */
    VIEW,
    /** Anything else (materialized view, foreign table, function): cannot be captured. */
    OTHER
  }

  public Relation {
    columns = List.copyOf(columns);
    primaryKey = List.copyOf(primaryKey);
  }

  /** The column named {@code columnName}, or null. */
  public RelationColumn column(String columnName) {
    for (RelationColumn c : columns) {
      if (c.name().equals(columnName)) {
        return c;
      }
    }
    return null;
  }

  /** {@code schema.name} for messages. */
  public String displayName() {
    return schema + "." + name;
  }
}
