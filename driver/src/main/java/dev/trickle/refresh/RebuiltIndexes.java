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
  /** None. */
  static final RebuiltIndexes NONE = new RebuiltIndexes(List.of(), List.of());

  private static final String REBUILDABLE =
      " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
          + " JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace"
          + " WHERE i.indrelid = s.oid AND i.indisvalid AND i.indisready AND i.indislive"
          + " AND i.indexprs IS NULL AND i.indpred IS NULL AND NOT i.indisreplident"
          + " AND NOT i.indisclustered AND ic.reltablespace = 0"
          + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(i.indclass) AS c(opclass)"
          + " JOIN pg_catalog.pg_opclass o ON o.oid = c.opclass WHERE NOT o.opcdefault)"
          + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.generate_subscripts(i.indkey, 1) AS k(j)"
          + " JOIN pg_catalog.pg_attribute a ON a.attrelid = s.oid AND a.attnum = i.indkey[k.j]"
          + " WHERE i.indcollation[k.j] <> 0 AND i.indcollation[k.j] <> a.attcollation)"
          + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k"
          + " WHERE k.conindid = i.indexrelid)"
          + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_description d"
          + " WHERE d.objoid = i.indexrelid AND d.classoid = 'pg_catalog.pg_class'::regclass)"
          + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend p"
          + " WHERE p.refclassid = 'pg_catalog.pg_class'::regclass"
          + " AND p.refobjid = i.indexrelid)";

  /**
   * The two columns {@code rebuilt_names} and {@code rebuilt_definitions} of a query over {@code
   * pg_class s} (the storage), for {@link #read}.
   */
  static String columns() {
    return "ARRAY(SELECT pg_catalog.quote_ident(n.nspname) || '.'"
        + " || pg_catalog.quote_ident(ic.relname)" + REBUILDABLE + " ORDER BY i.indexrelid)"
        + " AS rebuilt_names,"
        + " ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid)" + REBUILDABLE
        + " ORDER BY i.indexrelid) AS rebuilt_definitions";
  }

  /** Reads the columns of {@link #columns()} from the current row. */
  static RebuiltIndexes read(ResultSet rs) throws SQLException {
    return new RebuiltIndexes(StreamTableCatalog.textArray(rs.getArray("rebuilt_names")),
        StreamTableCatalog.textArray(rs.getArray("rebuilt_definitions")));
  }
}
