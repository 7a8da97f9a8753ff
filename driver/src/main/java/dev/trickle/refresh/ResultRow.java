package dev.trickle.refresh;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The first row of a query, as text, read by column name: what a statement sent through the
 * owner's executor ({@link OwnerExecutor}) returns for a query, and what {@link StatementBatch}
 * returns for one added with {@link StatementBatch#addQuery}.
 *
 * @param columns the column names, in order
 * @param values the values as text (null for SQL NULL), in the same order
 */
public record ResultRow(List<String> columns, List<String> values) {
  /** No row: the query returned none. */
  public static final ResultRow NONE = new ResultRow(List.of(), List.of());

  /** Copies the lists; values may hold nulls. */
  public ResultRow {
    columns = List.copyOf(columns);
    values = Collections.unmodifiableList(new ArrayList<>(values));
  }

  /** The value of {@code column} as text; fails when the row has no such column. */
  public String text(String column) {
    int i = columns.indexOf(column);
    if (i < 0) {
      throw new IllegalStateException("a result has no column " + column + ": " + columns);
    }
    return values.get(i);
  }

  /** The value of {@code column} as a {@code bigint}. */
  public long number(String column) {
    return Long.parseLong(text(column));
  }

  /** The value of {@code column} as a {@code boolean} ({@code t} / {@code true}). */
  public boolean truth(String column) {
    String value = text(column);
    return "t".equals(value) || "true".equals(value);
  }
}
