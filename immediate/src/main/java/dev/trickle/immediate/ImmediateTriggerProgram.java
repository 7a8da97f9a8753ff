package dev.trickle.immediate;

import dev.trickle.ivm.DeltaNames;
import dev.trickle.ivm.MaintenancePlan;
import dev.trickle.ivm.Step;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The trigger program that keeps an IMMEDIATE stream table current inside the writing
 * transaction. For each source relation it generates a PL/pgSQL function, fired by statement-level
 * AFTER triggers with transition tables, that turns the statement's old and new rows into the
 * source's delta table and runs the same differential steps a scheduled refresh would run (the
 * table itself already holds the post-statement state the rules read). TRUNCATE of a source
 * repopulates the stream table from its query.
 *
 * <p>Rights: whoever writes the source, maintenance runs with the stream table owner's rights and
 * nothing else. The function is {@code SECURITY DEFINER}, owned by the owner of the storage table
 * (set when it is installed, whoever installs it), with {@code search_path} pinned to the one the
 * defining query was resolved with and {@code pg_temp} last, so every name in the query, and every
 * function and operator in the generated SQL, resolves as it did for the owner and never through
 * a schema the writer chose. Nobody may call it but its triggers ({@code EXECUTE} revoked from
 * {@code PUBLIC}, and the function refuses to run for any table but its source); the temporary
 * tables it fills are dropped and created afresh by the owner, so a writer's table of the same
 * name makes the write fail instead of being used.
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
  private final String lock;
  private final String definingQuery;
  private final String searchPath;
  private final List<String> storageColumns;
  private final String namePrefix;
  private final List<Long> sourceOids;

  /**
   * @param plan the compiled plan of the stream table
   * @param storageSchema schema of the stream table's storage
   * @param storageTable name of the stream table's storage
   * @param storageColumns its columns, in order
   * @param definingQuery the defining query, for repopulating after TRUNCATE
   * @param searchPath the {@code search_path} the defining query is resolved with
   * @param lockSchema schema of the stream table's maintenance lock row
   * @param lockTable name of the table holding it
   * @param namePrefix prefix of the stream table's trigger functions and session tables; each
   *     source's function is named {@code namePrefix + "_" + oid}
   */
  public ImmediateTriggerProgram(
      MaintenancePlan plan,
      String storageSchema,
      String storageTable,
      List<String> storageColumns,
      String definingQuery,
      String searchPath,
      String lockSchema,
      String lockTable,
      String namePrefix) {
    this.plan = plan;
    this.storage = Sql.qualified(storageSchema, storageTable);
    this.lock = Sql.qualified(lockSchema, lockTable);
    this.storageColumns = List.copyOf(storageColumns);
    this.definingQuery = definingQuery;
    this.searchPath = searchPath;
    this.namePrefix = namePrefix;
    this.sourceOids = plan.sourceOids().stream().sorted().toList();
  }

  /** The name of the trigger function of one source (in the functions' schema). */
  public String functionName(long sourceOid) {
    return namePrefix + "_" + sourceOid;
  }

  /**
   * The statements that create the stream table's maintenance lock: one row, which every firing
   * of every source's function updates before it reads anything. Maintenance of one stream table
   * is thereby serialized. In READ COMMITTED a firing waits for a concurrent one to commit and its
   * statements (each with a new snapshot) then see that transaction's changes, so no pair of
   * concurrent changes to two sources goes without the term that joins them. In REPEATABLE READ
   * and SERIALIZABLE, whose snapshot cannot move, a firing after a concurrent one committed fails
   * with 40001 (serialization failure) instead of computing from a state that misses it.
   */
  public List<String> installLock() {
    return List.of(
        "CREATE TABLE " + lock + " (maintained_by pg_catalog.xid8)",
        "INSERT INTO " + lock + " VALUES (NULL)",
        "REVOKE ALL ON " + lock + " FROM PUBLIC");
  }

  /** The statements that remove what {@link #installLock} created. */
  public List<String> uninstallLock() {
    return List.of("DROP TABLE IF EXISTS " + lock);
  }

  /**
   * The statements that install maintenance for one source: the function (created with the
   * pinned {@code search_path}, which they set and restore around it), its owner and rights, and
   * its AFTER INSERT, UPDATE, DELETE and TRUNCATE triggers and its BEFORE INSERT, UPDATE and DELETE
   * ones, which count the AFTER firings a statement has to come (see {@link #body}).
   *
   * @param functionSchema schema for the generated function, named {@link #functionName}, whose
   *     name also prefixes the trigger names
   * @param sourceOid the source's oid (names its delta table)
   * @param tables the tables that get the triggers: the source, and for a partitioned source every
   *     partition too, since a statement fires only the statement triggers of the table it names
   */
  public List<String> install(String functionSchema, long sourceOid, List<Table> tables) {
    String function = Sql.qualified(functionSchema, functionName(sourceOid));
    List<String> statements = new ArrayList<>();
    statements.add(
        "SELECT pg_catalog.set_config('pgtrickle.caller_search_path',"
            + " pg_catalog.current_setting('search_path'), true)");
    statements.add(
        "SELECT pg_catalog.set_config('search_path', " + Sql.literal(searchPath + ", pg_temp")
            + ", true)");
    statements.add(
        "CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql"
            + " SECURITY DEFINER SET search_path FROM CURRENT AS "
            + Sql.dollarQuoted("\n" + body(sourceOid, tables) + "\n"));
    statements.add(
        "SELECT pg_catalog.set_config('search_path',"
            + " pg_catalog.current_setting('pgtrickle.caller_search_path'), true)");
    statements.add("REVOKE ALL ON FUNCTION " + function + "() FROM PUBLIC");
    statements.add(
        "DO " + Sql.dollarQuoted(
            "BEGIN EXECUTE pg_catalog.format('ALTER FUNCTION %s() OWNER TO %I', "
                + Sql.literal(function)
                + ", (SELECT r.rolname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_roles r"
                + " ON r.oid = c.relowner WHERE c.oid = " + Sql.literal(storage)
                + "::pg_catalog.regclass)); END"));
    String prefix = functionName(sourceOid);
    for (Table table : tables) {
      String on = table.name();
      statements.add(
          trigger(prefix + "_ins", "INSERT", "REFERENCING NEW TABLE AS new_rows", on, function));
      statements.add(
          trigger(
              prefix + "_upd",
              "UPDATE",
              "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
              on,
              function));
      statements.add(
          trigger(prefix + "_del", "DELETE", "REFERENCING OLD TABLE AS old_rows", on, function));
      statements.add(trigger(prefix + "_trunc", "TRUNCATE", "", on, function));
      for (String event : List.of("INSERT", "UPDATE", "DELETE")) {
        statements.add(
            "CREATE TRIGGER " + Sql.identifier(prefix + "_before_" + event.toLowerCase(java.util.Locale.ROOT))
                + " BEFORE " + event + " ON " + on + " FOR EACH STATEMENT EXECUTE FUNCTION "
                + function + "()");
      }
    }
    return statements;
  }

  /**
   * A table that gets the triggers of one source.
   *
   * @param oid its oid
   * @param name its name, quoted and schema-qualified
   */
  public record Table(long oid, String name) {}

  /**
   * The function's PL/pgSQL body.
   *
   * <p>One SQL statement can fire several AFTER statement triggers of the stream table's sources:
   * an upsert ({@code INSERT ... ON CONFLICT DO UPDATE}) and {@code MERGE} fire the UPDATE and then
   * the INSERT one, a statement with data-modifying {@code WITH} queries one per query (on one
   * source or several), a foreign key that cascades from one source into another fires the other's
   * triggers inside the statement, and so does a trigger on one source that writes another. Each
   * firing already sees its table as the whole statement left it, and the other sources too. The
   * delta rules read every source as "the state before the deltas plus the deltas", so all of those
   * changes must be maintained once, together. Every firing is announced by a BEFORE statement
   * trigger, and a statement's BEFORE triggers fire before any of its AFTER ones (a nested
   * statement's both fire inside the outer statement, before the outer AFTER one): the BEFORE
   * firings of every source count the firings to come in one counter per stream table, each AFTER
   * firing counts one down and adds its transition rows to its source's pending changes, and the
   * one that brings the count to zero maintains the stream table from all of them: with its own
   * source's plan when no other source has pending changes, otherwise with the plan of all sources
   * changed together (a source without changes gets an empty delta), the combination a deferred
   * refresh uses. A statement that fails takes its count and rows with it (they roll back with it).
   */
  private String body(long sourceOid, List<Table> tables) {
    String counterName = namePrefix + "_pending";
    String counter = Sql.qualified("pg_temp", counterName);
    String stashName = stashName(sourceOid);
    String stash = Sql.qualified("pg_temp", stashName);
    String columns = "*";
    StringBuilder body = new StringBuilder();
    body.append("DECLARE\n  more boolean;\n  iterations int;\n  previous text;\n  pending int := 0;\nBEGIN\n");
    body.append("  IF TG_RELID <> ALL ('{")
        .append(tables.stream().map(t -> String.valueOf(t.oid())).collect(Collectors.joining(",")))
        .append("}'::pg_catalog.oid[]) THEN\n");
    body.append("    RAISE EXCEPTION USING MESSAGE = ")
        .append(Sql.literal("this function maintains " + storage + " for its own source only"))
        .append(";\n");
    body.append("  END IF;\n");
    body.append("  IF TG_WHEN = 'BEFORE' THEN\n");
    body.append("    IF pg_catalog.to_regclass(").append(Sql.literal(counter)).append(") IS NULL THEN\n");
    body.append("      CREATE TEMP TABLE ").append(Sql.identifier(counterName))
        .append(" (statements int NOT NULL) ON COMMIT DROP;\n");
    body.append("      INSERT INTO ").append(counter).append(" VALUES (0);\n");
    body.append("    END IF;\n");
    appendOwnedCheck(body, counter, "    ");
    body.append("    UPDATE ").append(counter).append(" SET statements = statements + 1;\n");
    body.append("    RETURN NULL;\n");
    body.append("  END IF;\n");
    body.append("  IF TG_OP <> 'TRUNCATE' AND pg_catalog.to_regclass(").append(Sql.literal(counter))
        .append(") IS NOT NULL THEN\n");
    appendOwnedCheck(body, counter, "    ");
    body.append("    UPDATE ").append(counter).append(" SET statements = statements - 1 RETURNING statements INTO pending;\n");
    body.append("  END IF;\n");
    body.append("  UPDATE ").append(lock).append(" SET maintained_by = pg_catalog.pg_current_xact_id();\n");
    body.append("  previous := pg_catalog.current_setting('pgtrickle.maintenance', true);\n");
    body.append("  BEGIN\n");
    body.append("  PERFORM pg_catalog.set_config('pgtrickle.maintenance', 'on', true);\n");
    body.append("  IF TG_OP = 'TRUNCATE' THEN\n");
    body.append("    DELETE FROM ").append(storage).append(";\n");
    body.append("    INSERT INTO ")
        .append(storage)
        .append(" (")
        .append(Sql.identifiers(storageColumns))
        .append(") ")
        .append(definingQuery.strip())
        .append(";\n");
    appendSteps(body, plan.populate(), "    ");
    body.append("  ELSE\n");
    body.append("    IF TG_OP <> 'DELETE' AND pg_catalog.to_regclass(").append(Sql.literal(stash))
        .append(") IS NULL THEN\n");
    body.append("      CREATE TEMP TABLE ").append(Sql.identifier(stashName))
        .append(" ON COMMIT DROP AS SELECT ").append(columns).append(", 1 AS ").append(DeltaNames.WEIGHT)
        .append(" FROM new_rows WITH NO DATA;\n");
    body.append("    ELSIF TG_OP = 'DELETE' AND pg_catalog.to_regclass(").append(Sql.literal(stash))
        .append(") IS NULL THEN\n");
    body.append("      CREATE TEMP TABLE ").append(Sql.identifier(stashName))
        .append(" ON COMMIT DROP AS SELECT ").append(columns).append(", 1 AS ").append(DeltaNames.WEIGHT)
        .append(" FROM old_rows WITH NO DATA;\n");
    body.append("    END IF;\n");
    appendOwnedCheck(body, stash, "    ");
    body.append("    IF TG_OP = 'INSERT' THEN\n");
    body.append("      INSERT INTO ").append(stash).append(" SELECT ").append(columns).append(", 1 FROM new_rows;\n");
    body.append("    ELSIF TG_OP = 'DELETE' THEN\n");
    body.append("      INSERT INTO ").append(stash).append(" SELECT ").append(columns).append(", -1 FROM old_rows;\n");
    body.append("    ELSE\n");
    body.append("      INSERT INTO ").append(stash).append(" SELECT ").append(columns)
        .append(", -1 FROM old_rows UNION ALL SELECT ").append(columns).append(", 1 FROM new_rows;\n");
    body.append("    END IF;\n");
    body.append("    IF pending <= 0 THEN\n");
    List<Long> others = sourceOids.stream().filter(oid -> oid != sourceOid).toList();
    if (others.isEmpty()) {
      appendMaintenance(body, List.of(sourceOid), "      ");
    } else {
      body.append("      IF ")
          .append(others.stream()
              .map(oid -> "pg_catalog.to_regclass(" + Sql.literal(Sql.qualified("pg_temp", stashName(oid)))
                  + ") IS NULL")
              .collect(Collectors.joining(" AND ")))
          .append(" THEN\n");
      appendMaintenance(body, List.of(sourceOid), "        ");
      body.append("      ELSE\n");
      appendMaintenance(body, sourceOids, "        ");
      body.append("      END IF;\n");
    }
    body.append("    END IF;\n");
    body.append("  END IF;\n");
    body.append("  EXCEPTION WHEN undefined_column OR undefined_table OR datatype_mismatch\n");
    body.append("      OR undefined_function THEN\n");
    for (long oid : others) {
      body.append("    DROP TABLE IF EXISTS ").append(Sql.qualified("pg_temp", stashName(oid))).append(";\n");
    }
    body.append("    RAISE WARNING USING MESSAGE = ")
        .append(Sql.literal("stream table " + storage + " is not maintained: "))
        .append(" || SQLERRM, HINT = ")
        .append(Sql.literal("a source of its query changed; refresh it to see what, and change its"
            + " query with pgtrickle.alter_stream_table"))
        .append(";\n");
    body.append("  END;\n");
    body.append(
        "  PERFORM pg_catalog.set_config('pgtrickle.maintenance', COALESCE(previous, 'off'),"
            + " true);\n");
    body.append("  RETURN NULL;\n");
    body.append("END");
    return body.toString();
  }

  /** The session table holding one source's pending changes until the statement's last firing. */
  private String stashName(long sourceOid) {
    return functionName(sourceOid) + "_changes";
  }

  /**
   * Appends the maintenance from the pending changes of {@code changed}: each source's pending
   * changes become its delta table (an empty one when it has none), the plan's steps for those
   * sources run, and the delta tables go.
   */
  private void appendMaintenance(StringBuilder body, List<Long> changed, String indent) {
    for (long oid : changed) {
      String delta = DeltaNames.deltaTable(oid);
      String stash = Sql.qualified("pg_temp", stashName(oid));
      body.append(indent).append("DROP TABLE IF EXISTS ").append(delta).append(";\n");
      body.append(indent).append("IF pg_catalog.to_regclass(").append(Sql.literal(stash)).append(") IS NULL THEN\n");
      body.append(indent).append("  EXECUTE pg_catalog.format(")
          .append(Sql.literal("CREATE TEMP TABLE " + delta + " ON COMMIT DROP AS SELECT *, 1 AS "
              + DeltaNames.WEIGHT + " FROM %s WITH NO DATA"))
          .append(", ").append(oid).append("::pg_catalog.regclass);\n");
      body.append(indent).append("ELSE\n");
      appendOwnedCheck(body, stash, indent + "  ");
      body.append(indent).append("  ALTER TABLE ").append(stash).append(" RENAME TO ")
          .append(delta.substring("pg_temp.".length())).append(";\n");
      body.append(indent).append("END IF;\n");
    }
    appendSteps(body, plan.refresh(Set.copyOf(changed)), indent);
    for (long oid : changed) {
      body.append(indent).append("DROP TABLE ").append(DeltaNames.deltaTable(oid)).append(";\n");
    }
  }

  /**
   * Appends a check that the temporary table is the owner's: a table of that name a writer made
   * (and granted) in its session is refused rather than counted or read.
   */
  private static void appendOwnedCheck(StringBuilder body, String table, String indent) {
    body.append(indent).append("IF (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = pg_catalog.to_regclass(")
        .append(Sql.literal(table)).append(")) IS DISTINCT FROM (SELECT r.oid FROM pg_catalog.pg_roles r")
        .append(" WHERE r.rolname = current_user) THEN\n");
    body.append(indent).append("  RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = ")
        .append(Sql.literal(table + " is not the stream table owner's; drop it"))
        .append(";\n");
    body.append(indent).append("END IF;\n");
  }

  /** Appends the steps as PL/pgSQL; loops become LOOP ... EXIT WHEN NOT condition. */
  private static void appendSteps(StringBuilder body, List<Step> steps, String indent) {
    for (Step step : steps) {
      if (step.isLoop()) {
        body.append(indent).append("iterations := 0;\n");
        body.append(indent).append("LOOP\n");
        appendSteps(body, step.body(), indent + "  ");
        body.append(indent)
            .append("  EXECUTE ")
            .append(Sql.literal(step.sql()))
            .append(" INTO more;\n");
        body.append(indent).append("  iterations := iterations + 1;\n");
        body.append(indent)
            .append("  EXIT WHEN NOT more OR iterations >= ")
            .append(Step.MAX_ITERATIONS)
            .append(";\n");
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
    return List.of(
        "DROP FUNCTION IF EXISTS " + Sql.qualified(functionSchema, functionName) + "() CASCADE");
  }

  private static String trigger(String name, String event, String referencing, String source, String function) {
    return "CREATE TRIGGER " + Sql.identifier(name) + " AFTER " + event + " ON " + source + " "
        + referencing + " FOR EACH STATEMENT EXECUTE FUNCTION " + function + "()";
  }
}
