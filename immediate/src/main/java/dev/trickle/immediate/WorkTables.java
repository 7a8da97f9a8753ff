package dev.trickle.immediate;

import dev.trickle.ivm.DeltaNames;
import dev.trickle.ivm.Step;
import dev.trickle.ivm.StepPrinter;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The session work tables of one source's own maintenance: the source's delta table and the work
 * tables its steps fill. They are created once per server session (not per statement, which would
 * write the system catalogs every time) and refilled; so the function's static statements, planned
 * once per session, keep reading the same tables.
 *
 * <p>Every firing checks, in one query, that each table exists, belongs to the stream table's
 * owner (a table of that name that a writer made in its session would otherwise be used with the
 * owner's rights) and, for the delta table, that the source's columns are those it was made from
 * (names, types and type modifiers in order: an added, dropped, renamed or retyped column is a
 * difference). The answer is compared with what the
 * function recorded when it made them, in a session setting: a difference (first use, a rolled back
 * transaction that took the tables with it, a deferred refresh's table of the same name, a changed
 * source) makes the function create them again. The delta table of a source is shared by every
 * IMMEDIATE stream table over it and recorded per source, the other tables per stream table and
 * source.
 *
 * <p>A table grown past {@link #TRUNCATE_BYTES} by a large statement is truncated after the
 * maintenance (a new file, once in a while); smaller ones are emptied by {@code DELETE} when next
 * filled.
 */
final class WorkTables {
  /** A work table at least this large is truncated after the maintenance. */
  static final long TRUNCATE_BYTES = 1 << 20;

  private final long sourceOid;
  private final String delta;
  private final List<Step> fills;
  private final String deltaSetting;
  private final String tablesSetting;

  /**
   * @param sourceOid the source
   * @param steps the source's own maintenance steps
   * @param settingPrefix prefix of the session settings that record the tables, unique per stream
   *     table
   */
  WorkTables(long sourceOid, List<Step> steps, String settingPrefix) {
    this.sourceOid = sourceOid;
    this.delta = DeltaNames.deltaTable(sourceOid);
    this.fills = filled(steps);
    this.deltaSetting = "pgtrickle.__pgt_imm_delta_" + sourceOid;
    this.tablesSetting = settingPrefix + "_tables_" + sourceOid;
  }

  /**
   * The fills of the steps, loops included, in the order they are first filled, each with the
   * query that fixes its columns (the first that fills it).
   */
  static List<Step> filled(List<Step> steps) {
    List<Step> fills = new ArrayList<>();
    collect(steps, new LinkedHashSet<>(), fills);
    return fills;
  }

  private static void collect(List<Step> steps, Set<String> seen, List<Step> fills) {
    for (Step step : steps) {
      if (step.isLoop()) {
        collect(step.body(), seen, fills);
      } else if (step.isFill() && seen.add(step.fills())) {
        fills.add(step);
      }
    }
  }

  /** The PL/pgSQL variables {@link #appendEnsure} uses. */
  static String declarations() {
    return "  __pgt_delta_state text;\n  __pgt_tables text;\n";
  }

  /** Appends the check, and the creation of whatever is missing or stale. */
  void appendEnsure(StringBuilder body, String indent) {
    String check = "SELECT s.shape || '/' || pg_catalog.split_part(w.tables, ',', 1), w.tables"
        + " INTO __pgt_delta_state, __pgt_tables FROM (" + shapeQuery(sourceOid) + ") AS s, ("
        + tablesQuery() + ") AS w;\n";
    body.append(indent).append(check);
    body.append(indent).append("IF __pgt_delta_state IS DISTINCT FROM pg_catalog.current_setting(")
        .append(Sql.literal(deltaSetting)).append(", true) THEN\n");
    appendMadeFromSource(body, indent + "  ", delta, sourceOid);
    body.append(indent).append("  ").append(check);
    body.append(indent).append("  PERFORM pg_catalog.set_config(").append(Sql.literal(deltaSetting))
        .append(", __pgt_delta_state, false);\n");
    body.append(indent).append("END IF;\n");
    body.append(indent).append("IF __pgt_tables IS DISTINCT FROM pg_catalog.current_setting(")
        .append(Sql.literal(tablesSetting)).append(", true) THEN\n");
    for (Step fill : fills) {
      body.append(StepPrinter.dropIfExists(fill.fills(), indent + "  "));
      body.append(indent).append("  EXECUTE ")
          .append(Sql.literal("CREATE TEMP TABLE " + fill.fills() + " AS " + fill.sql() + " WITH NO DATA"))
          .append(";\n");
    }
    body.append(indent).append("  ").append(check);
    body.append(indent).append("  PERFORM pg_catalog.set_config(").append(Sql.literal(tablesSetting))
        .append(", __pgt_tables, false);\n");
    body.append(indent).append("END IF;\n");
  }

  /**
   * Appends the statements that make {@code table} again, empty, with the columns of the source
   * {@code sourceOid} as they are now and a weight.
   */
  static void appendMadeFromSource(StringBuilder body, String indent, String table, long sourceOid) {
    body.append(StepPrinter.dropIfExists(table, indent));
    body.append(indent).append("EXECUTE pg_catalog.format(")
        .append(Sql.literal("CREATE TEMP TABLE " + table + " AS SELECT *, 1 AS " + DeltaNames.WEIGHT
            + " FROM %s WITH NO DATA"))
        .append(", ").append(sourceOid).append("::pg_catalog.regclass);\n");
  }

  /** Appends the truncation of the tables a large statement grew. */
  void appendShrink(StringBuilder body, String indent) {
    for (String table : tables()) {
      body.append(indent).append("IF pg_catalog.pg_relation_size(").append(Sql.literal(table))
          .append(") >= ").append(TRUNCATE_BYTES).append(" THEN\n");
      body.append(indent).append("  TRUNCATE ").append(table).append(";\n");
      body.append(indent).append("END IF;\n");
    }
  }

  /** The delta table, then the filled tables. */
  private List<String> tables() {
    List<String> tables = new ArrayList<>();
    tables.add(delta);
    fills.forEach(fill -> tables.add(fill.fills()));
    return tables;
  }

  /**
   * One row: the live columns of {@code sourceOid}, each with its name, type and type modifier, in
   * order.
   */
  static String shapeQuery(long sourceOid) {
    return "SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname) || ' '"
        + " || a.atttypid::pg_catalog.text || ' ' || a.atttypmod::pg_catalog.text, ', '"
        + " ORDER BY a.attnum) AS shape FROM pg_catalog.pg_attribute a WHERE a.attrelid = "
        + sourceOid + " AND a.attnum > 0 AND NOT a.attisdropped";
  }

  /** One row: the oids of the tables that exist and are the owner's, or {@code -}, in order. */
  private String tablesQuery() {
    List<String> rows = new ArrayList<>();
    List<String> tables = tables();
    for (int i = 0; i < tables.size(); i++) {
      rows.add("(" + i + ", " + Sql.literal(tables.get(i)) + ")");
    }
    return "SELECT pg_catalog.string_agg(COALESCE(c.oid::text, '-'), ',' ORDER BY t.n) AS tables"
        + " FROM (VALUES " + String.join(", ", rows) + ") AS t (n, name)"
        + " LEFT JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(t.name)"
        + " AND c.relowner = (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user)";
  }
}
