package dev.trickle.refresh;

/**
 * The SQL that reads a relation as a refresh needs it, for the catalog reads of a refresh: schema,
 * name, kind, persistence, partition, primary key and columns, from {@code pg_class} {@code c}
 * joined to {@code pg_namespace} {@code n}. Plain SQL rather than a server function: a refresh sends
 * its reads as prepared statements ({@link StatementBatch}), so the server keeps their plans for the
 * session, and a plain query costs less than a function call doing the same.
 */
final class RelationShape {
  private RelationShape() {}

  /**
   * The select list: {@code schema_name, relation_name, relkind, is_temporary, is_partition,
   * has_primary_key, column_names, column_types}, NULLs (and empty arrays) when {@code c} is
   * missing.
   */
  static String selectList() {
    return relationList() + ", " + columnNames("c.oid", "") + ", " + columnTypes("c.oid", "");
  }

  /** {@link #selectList} without the two column arrays. */
  static String relationList() {
    return "n.nspname::text, c.relname::text, c.relkind::text, c.relpersistence = 't',"
        + " c.relispartition,"
        + " EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')";
  }

  /** The names of the columns of relation {@code oidSql} in order, as {@code text[]}. */
  static String columnNames(String oidSql, String extraCondition) {
    return columnArray("a.attname::text", oidSql, extraCondition);
  }

  /** The {@code format_type} texts of the columns of relation {@code oidSql} in order. */
  static String columnTypes(String oidSql, String extraCondition) {
    return columnArray("format_type(a.atttypid, a.atttypmod)", oidSql, extraCondition);
  }

  private static String columnArray(String perColumn, String oidSql, String extraCondition) {
    return "ARRAY(SELECT " + perColumn + " FROM pg_attribute a WHERE a.attrelid = "
        + oidSql
        + " AND a.attnum > 0 AND NOT a.attisdropped"
        + extraCondition
        + " ORDER BY a.attnum)";
  }
}
