package dev.trickle.refresh;

import dev.trickle.catalog.Column;
import dev.trickle.catalog.Dependency;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTable;
import dev.trickle.sql.Sql;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether a source still is what the stream table's query was resolved against. Change capture
 * survives any schema change of a source (after one it stores whole row images, {@code
 * dev.trickle.capture.ChangeCapture}); the refresh notices the change instead: a source renamed
 * (the query names the old name), or a column the query reads dropped, renamed or retyped, makes
 * the refresh fail with a class-42 error, which puts the stream table in ERROR with a message that
 * names the column and the remedy. Changes to columns the query does not read pass unnoticed.
 */
final class SourceDrift {
  /** A schema qualification at the start of a {@code format_type} text. */
  private static final Pattern SCHEMA_PREFIX =
      Pattern.compile("^(\"([^\"]|\"\")+\"|[^\".(\\[ ]+)\\.");

  private SourceDrift() {}

  /** The failure for the first source that no longer fits, if any. */
  static Optional<SQLException> of(StreamTable st, List<LiveSources.Source> sources) {
    for (LiveSources.Source source : sources) {
      Optional<SQLException> drift = of(st, source);
      if (drift.isPresent()) {
        return drift;
      }
    }
    return Optional.empty();
  }

  private static Optional<SQLException> of(StreamTable st, LiveSources.Source source) {
    Dependency recorded = source.dependency();
    if (source.relation().isEmpty()) {
      return Optional.of(RefreshFailures.sourceMissing(st, recorded));
    }
    Relation now = source.relation().get();
    if (!now.schema().equals(recorded.schema()) || !now.name().equals(recorded.name())) {
      return Optional.of(
          SqlState.UNDEFINED_OBJECT.exception(
              "source " + recorded.displayName() + " of stream table " + st.displayName()
                  + " was renamed to " + now.displayName() + "; " + RefreshFailures.remedy(st)));
    }
    for (int i = 0; i < recorded.columnsUsed().size(); i++) {
      String name = recorded.columnsUsed().get(i);
      Optional<Column> column =
          source.columns().stream().filter(col -> col.name().equals(name)).findFirst();
      String subject = "column " + Sql.display(name) + " of source "
          + recorded.displayName() + " of stream table " + st.displayName();
      if (column.isEmpty()) {
        return Optional.of(
            new SQLException(
                subject + " no longer exists (dropped or renamed); " + RefreshFailures.remedy(st),
                "42703"));
      }
      String type = recorded.columnType(i);
      if (!type.isEmpty() && !unqualified(type).equals(unqualified(column.get().type()))) {
        return Optional.of(
            new SQLException(
                subject + " changed type from " + type + " to " + column.get().type() + "; "
                    + RefreshFailures.remedy(st),
                "42804"));
      }
    }
    return Optional.empty();
  }

  /**
   * A {@code format_type} text without its schema: {@code format_type} qualifies a type that is
   * not visible on the {@code search_path} of the moment, and the recorded type was printed when
   * the query was resolved, maybe under another {@code search_path} than the refresh's.
   */
  private static String unqualified(String type) {
    return SCHEMA_PREFIX.matcher(type).replaceFirst("");
  }
}
