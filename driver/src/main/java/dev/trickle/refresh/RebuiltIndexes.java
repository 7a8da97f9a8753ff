package dev.trickle.refresh;

import dev.trickle.catalog.StreamTableCatalog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The storage's indexes that a FULL refresh replacing the contents whole ({@link
 * FullReplacement.Kind#REPLACE}) drops before loading the query's rows and creates again after:
 * an {@code INSERT} into an indexed table adds every row to every index one at a time, while
 * {@code CREATE INDEX} over the loaded table sorts once and builds the index bottom-up, as {@code
 * REFRESH MATERIALIZED VIEW} does. The refresh holds the table's {@code ACCESS EXCLUSIVE} lock
 * then, so no reader sees the table without them.
 *
 * <p>Only indexes whose definition {@code pg_get_indexdef} gives back whole and independent of the
 * {@code search_path} are rebuilt: valid, on plain columns (no expression, no predicate), default
 * operator classes and collations, in the default tablespace; not backing a constraint, not the
 * replica identity, not marked for {@code CLUSTER}, without a comment and without any object
 * depending on them. Any other index stays and is maintained row by row, as before. An index
 * created again gets a new oid but its name and definition.
 *
 * @param names the indexes, schema-qualified and quoted, to drop
 * @param definitions their {@code CREATE INDEX} statements, in the same order
 */
record RebuiltIndexes(List<String> names, List<String> definitions) {
  /**
   * Reads the columns {@code rebuilt_names} and {@code rebuilt_definitions} of the current row, as
   * {@code pgtrickle.full_replacement} (catalog V26) selects the indexes.
   */
  static RebuiltIndexes read(ResultSet rs) throws SQLException {
    return new RebuiltIndexes(StreamTableCatalog.textArray(rs.getArray("rebuilt_names")),
        StreamTableCatalog.textArray(rs.getArray("rebuilt_definitions")));
  }
}
