package dev.trickle.immediate;

import dev.trickle.ivm.MaintenancePlan;
import dev.trickle.ivm.Sql;
import dev.trickle.ivm.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The trigger program that keeps an IMMEDIATE stream table current inside the writing
 * transaction. For each source relation it generates a PL/pgSQL function, fired by statement-level
 * AFTER triggers with transition tables, that turns the statement's old and new rows into the
 * source's delta table and runs the same differential steps a scheduled refresh would run (the
 * table itself already holds the post-statement state the rules read). TRUNCATE of a source
 * repopulates the stream table from its query.
 *
 * <p>The delta table copies the transition tables whole ({@code SELECT *}), so the function names
 * no source column itself: a column the query does not read may be added, dropped, renamed or
 * retyped. When a source change breaks the steps (a column the query reads, or the source's name),
 * the write goes on: the maintenance of that statement is rolled back with a WARNING, and the next
 * refresh of the stream table puts it in ERROR, naming what changed.
 */
public final class ImmediateTriggerProgram {
  private final MaintenancePlan plan;
  private final String storage;
  private final String definingQuery;
  private final List<String> storageColumns;

  /**
   * @param plan the compiled plan of the stream table
   * @param storageSchema schema of the stream table's storage
   * @param storageTable name of the stream table's storage
   * @param storageColumns its columns, in order
   * @param definingQuery the defining query, for repopulating after TRUNCATE
   */
  public ImmediateTriggerProgram(
      MaintenancePlan plan,
      String storageSchema,
      String storageTable,
      List<String> storageColumns,
      String definingQuery) {
    this.plan = plan;
    this.storage = Sql.qualified(storageSchema, storageTable);
    this.storageColumns = List.copyOf(storageColumns);
    this.definingQuery = definingQuery;
  }

  /**
   * The statements that install maintenance for one source: the function and its INSERT, UPDATE,
   * DELETE and TRUNCATE triggers.
   *
   * @param functionSchema schema for the generated function
   * @param functionName name of the generated function
   * @param sourceOid the source's oid (names its delta table)
   * @param source the source relation, quoted
   * @param triggerPrefix prefix of the trigger names (unique per stream table and source)
   */
  public List<String> install(
      String functionSchema,
      String functionName,
      long sourceOid,
      String source,
      String triggerPrefix) {
    String function = Sql.qualified(functionSchema, functionName);
    String delta = Sql.deltaTable(sourceOid);
    String columns = "*";
    StringBuilder body = new StringBuilder();
    body.append("DECLARE\n  more boolean;\n  iterations int;\n  previous text;\nBEGIN\n");
    body.append("  previous := current_setting('pgtrickle.maintenance', true);\n");
    body.append("  BEGIN\n");
    body.append("  PERFORM set_config('pgtrickle.maintenance', 'on', true);\n");
    body.append("  IF TG_OP = 'TRUNCATE' THEN\n");
    body.append("    DELETE FROM ").append(storage).append(";\n");
    body.append("    INSERT INTO ").append(storage).append(" (").append(Sql.identList(storageColumns))
        .append(") ").append(definingQuery.strip()).append(";\n");
    appendSteps(body, plan.populate(), "    ");
    body.append("  ELSE\n");
    body.append("    DROP TABLE IF EXISTS ").append(delta).append(";\n");
    body.append("    IF TG_OP = 'INSERT' THEN\n");
    body.append("      CREATE TEMP TABLE ").append(delta.substring("pg_temp.".length()))
        .append(" ON COMMIT DROP AS SELECT ").append(columns).append(", 1 AS ").append(Sql.WEIGHT)
        .append(" FROM new_rows;\n");
    body.append("    ELSIF TG_OP = 'DELETE' THEN\n");
    body.append("      CREATE TEMP TABLE ").append(delta.substring("pg_temp.".length()))
        .append(" ON COMMIT DROP AS SELECT ").append(columns).append(", -1 AS ").append(Sql.WEIGHT)
        .append(" FROM old_rows;\n");
    body.append("    ELSE\n");
    body.append("      CREATE TEMP TABLE ").append(delta.substring("pg_temp.".length()))
        .append(" ON COMMIT DROP AS SELECT ").append(columns).append(", -1 AS ").append(Sql.WEIGHT)
        .append(" FROM old_rows UNION ALL SELECT ").append(columns).append(", 1 FROM new_rows;\n");
    body.append("    END IF;\n");
    appendSteps(body, plan.refresh(Set.of(sourceOid)), "    ");
    body.append("    DROP TABLE ").append(delta).append(";\n");
    body.append("  END IF;\n");
    body.append("  EXCEPTION WHEN undefined_column OR undefined_table OR datatype_mismatch\n");
    body.append("      OR undefined_function THEN\n");
    body.append("    RAISE WARNING USING MESSAGE = ")
        .append(Sql.literal("stream table " + storage + " is not maintained: "))
        .append(" || SQLERRM, HINT = ")
        .append(Sql.literal("a source of its query changed; refresh it to see what, and change its"
            + " query with pgtrickle.alter_stream_table"))
        .append(";\n");
    body.append("  END;\n");
    body.append("  PERFORM set_config('pgtrickle.maintenance', COALESCE(previous, 'off'), true);\n");
    body.append("  RETURN NULL;\n");
    body.append("END");
    List<String> statements = new ArrayList<>();
    statements.add(
        "CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS "
            + Sql.dollarQuoted("\n" + body + "\n"));
    String prefix = triggerPrefix;
    statements.add(trigger(prefix + "_ins", "INSERT", "REFERENCING NEW TABLE AS new_rows", source, function));
    statements.add(trigger(prefix + "_upd", "UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", source, function));
    statements.add(trigger(prefix + "_del", "DELETE", "REFERENCING OLD TABLE AS old_rows", source, function));
    statements.add(trigger(prefix + "_trunc", "TRUNCATE", "", source, function));
    return statements;
  }

  /** Appends the steps as PL/pgSQL; loops become LOOP ... EXIT WHEN NOT condition. */
  private static void appendSteps(StringBuilder body, List<Step> steps, String indent) {
    for (Step step : steps) {
      if (step.isLoop()) {
        body.append(indent).append("iterations := 0;\n");
        body.append(indent).append("LOOP\n");
        appendSteps(body, step.body(), indent + "  ");
        body.append(indent).append("  EXECUTE ").append(Sql.literal(step.sql())).append(" INTO more;\n");
        body.append(indent).append("  iterations := iterations + 1;\n");
        body.append(indent).append("  EXIT WHEN NOT more OR iterations >= ").append(Step.MAX_ITERATIONS).append(";\n");
        body.append(indent).append("END LOOP;\n");
      } else {
        for (String statement : step.transactionScoped()) {
          body.append(indent).append("EXECUTE ").append(Sql.literal(statement)).append(";\n");
        }
      }
    }
  }

  /** The statements that remove what {@link #install} created. */
  public static List<String> uninstall(String functionSchema, String functionName) {
    return List.of("DROP FUNCTION IF EXISTS " + Sql.qualified(functionSchema, functionName) + "() CASCADE");
  }

  private static String trigger(String name, String event, String referencing, String source, String function) {
    return "CREATE TRIGGER " + Sql.ident(name) + " AFTER " + event + " ON " + source + " "
        + referencing + " FOR EACH STATEMENT EXECUTE FUNCTION " + function + "()";
  }
}
