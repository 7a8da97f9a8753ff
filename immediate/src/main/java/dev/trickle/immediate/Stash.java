package dev.trickle.immediate;

import dev.trickle.sql.Sql;

/**
 * Where one source's changes wait while a statement fires more than once: an upsert or {@code
 * MERGE} fires one AFTER trigger per kind of action, a statement with data-modifying {@code WITH}
 * queries one per query, a cascade or a trigger writing another source one more; the statement's
 * last firing maintains the stream table from all of them ({@link TriggerBody}).
 *
 * <p>The stash is a session work table per stream table and source, made once from the source's
 * columns and emptied by the first firing of each statement that adds to it, not a table created
 * for the statement: every {@code CREATE TEMP TABLE} writes the system catalogs, and while another
 * session's open transaction holds the xmin horizon back the dead catalog rows of a name created
 * again and again cannot be pruned, so each creation costs more than the one before. Whether the
 * stash holds the present statement's changes is a transaction-local setting bound to the client
 * statement ({@code statement_timestamp()}), cleared by the maintenance that consumes them; it rolls
 * back with the rows of a failed statement or savepoint. The table is checked like the other work
 * tables ({@link WorkTables}): it must exist, be the owner's and have been made from the source's
 * columns as they are.
 *
 * <p>A firing of a partition the statement names directly adds its rows by column name, since a
 * partition's columns may lie in another order than the parent's.
 */
final class Stash {
  private final long sourceOid;
  private final String table;
  private final String stampSetting;
  private final String stateSetting;

  /**
   * @param sourceOid the source
   * @param namePrefix the stream table's prefix for names and settings ({@code __pgt_imm_<id>})
   */
  Stash(long sourceOid, String namePrefix) {
    this.sourceOid = sourceOid;
    this.table = Sql.qualified("pg_temp", namePrefix + "_" + sourceOid + "_changes");
    this.stampSetting = "pgtrickle." + namePrefix + "_stashed_" + sourceOid;
    this.stateSetting = "pgtrickle." + namePrefix + "_stash_" + sourceOid;
  }

  /** The PL/pgSQL variables the stash's statements use. */
  static String declarations() {
    return "  __pgt_stash_state text;\n  __pgt_columns text;\n";
  }

  /** The stash table, schema-qualified. */
  String table() {
    return table;
  }

  /** A condition: the stash holds changes of the present client statement. */
  String held() {
    return "pg_catalog.current_setting(" + Sql.literal(stampSetting)
        + ", true) IS NOT DISTINCT FROM pg_catalog.statement_timestamp()::pg_catalog.text";
  }

  /**
   * Appends the addition of the firing's transition rows: the table made if it is missing or
   * stale, emptied by the statement's first firing, the rows added with their weights.
   */
  void appendAdd(StringBuilder body, String indent) {
    appendEnsure(body, indent);
    body.append(indent).append("IF NOT (").append(held()).append(") THEN\n");
    body.append(indent).append("  DELETE FROM ").append(table).append(";\n");
    body.append(indent).append("  PERFORM pg_catalog.set_config(").append(Sql.literal(stampSetting))
        .append(", pg_catalog.statement_timestamp()::pg_catalog.text, true);\n");
    body.append(indent).append("END IF;\n");
    body.append(indent).append("IF TG_RELID = ").append(sourceOid).append(" THEN\n");
    TriggerBody.appendCopy(body, table, indent + "  ");
    body.append(indent).append("ELSE\n");
    appendCopyByName(body, indent + "  ");
    body.append(indent).append("END IF;\n");
  }

  /** Appends what marks the stash consumed: the next statement starts it afresh. */
  void appendConsumed(StringBuilder body, String indent) {
    body.append(indent).append("PERFORM pg_catalog.set_config(").append(Sql.literal(stampSetting))
        .append(", '', true);\n");
  }

  /** Appends the truncation of a stash a large statement grew (a new file, once in a while). */
  void appendShrink(StringBuilder body, String indent) {
    body.append(indent).append("IF pg_catalog.pg_relation_size(").append(Sql.literal(table))
        .append(") >= ").append(WorkTables.TRUNCATE_BYTES).append(" THEN\n");
    body.append(indent).append("  TRUNCATE ").append(table).append(";\n");
    body.append(indent).append("END IF;\n");
  }

  private void appendEnsure(StringBuilder body, String indent) {
    String check = "SELECT s.shape || '/' || COALESCE(c.oid::pg_catalog.text, '-') INTO __pgt_stash_state"
        + " FROM (" + WorkTables.shapeQuery(sourceOid) + ") AS s"
        + " LEFT JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(" + Sql.literal(table)
        + ") AND c.relowner = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user);\n";
    body.append(indent).append(check);
    body.append(indent).append("IF __pgt_stash_state IS DISTINCT FROM pg_catalog.current_setting(")
        .append(Sql.literal(stateSetting)).append(", true) THEN\n");
    WorkTables.appendMadeFromSource(body, indent + "  ", table, sourceOid);
    body.append(indent).append("  ").append(check);
    body.append(indent).append("  PERFORM pg_catalog.set_config(").append(Sql.literal(stateSetting))
        .append(", __pgt_stash_state, false);\n");
    body.append(indent).append("  PERFORM pg_catalog.set_config(").append(Sql.literal(stampSetting))
        .append(", '', true);\n");
    body.append(indent).append("END IF;\n");
  }

  /** A partition's transition rows, their columns taken by the source's names in its order. */
  private void appendCopyByName(StringBuilder body, String indent) {
    body.append(indent).append("__pgt_columns := (SELECT pg_catalog.string_agg(")
        .append("pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)")
        .append(" FROM pg_catalog.pg_attribute a WHERE a.attrelid = ").append(sourceOid)
        .append(" AND a.attnum > 0 AND NOT a.attisdropped);\n");
    String insert = Sql.literal("INSERT INTO " + table + " SELECT ") + " || __pgt_columns || ";
    body.append(indent).append("IF TG_OP IN ('DELETE', 'UPDATE') THEN\n");
    body.append(indent).append("  EXECUTE ").append(insert).append(Sql.literal(", -1 FROM old_rows"))
        .append(";\n");
    body.append(indent).append("END IF;\n");
    body.append(indent).append("IF TG_OP IN ('INSERT', 'UPDATE') THEN\n");
    body.append(indent).append("  EXECUTE ").append(insert).append(Sql.literal(", 1 FROM new_rows"))
        .append(";\n");
    body.append(indent).append("END IF;\n");
  }
}
