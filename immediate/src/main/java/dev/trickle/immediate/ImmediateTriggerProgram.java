package dev.trickle.immediate;

import dev.trickle.ivm.LoopLimit;
import dev.trickle.ivm.MaintenancePlan;
import dev.trickle.ivm.StepPrinter;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;

/**
 * The trigger program that keeps an IMMEDIATE stream table current inside the writing
 * transaction. For each source relation it generates a PL/pgSQL function, fired by statement-level
 * BEFORE triggers and by AFTER triggers with transition tables, that runs the same differential
 * steps a scheduled refresh would run on the statement's changes (the tables themselves already
 * hold the post-statement state the rules read); see {@link TriggerBody} for what one firing does.
 * TRUNCATE of a source repopulates the stream table from its query.
 *
 * <p>Rights: whoever writes the source, maintenance runs with the stream table owner's rights and
 * nothing else. The function is {@code SECURITY DEFINER}, owned by the owner of the storage table
 * (set when it is installed, whoever installs it), with {@code search_path} pinned to the one the
 * defining query was resolved with and {@code pg_temp} last, so every name in the query, and every
 * function and operator in the generated SQL, resolves as it did for the owner and never through
 * a schema the writer chose. Nobody may call it but its triggers ({@code EXECUTE} revoked from
 * {@code PUBLIC}, and the function refuses to run for any table but its source); the temporary
 * tables it uses are the owner's, checked on every firing, so a writer's table of the same name
 * makes the write fail instead of being used.
 *
 * <p>The delta tables copy the transition tables whole ({@code SELECT *}), so the function names
 * no source column itself: a column the query does not read may be added, dropped, renamed or
 * retyped. When a source change breaks the steps (a column the query reads, or the source's name),
 * the write goes on: the maintenance of that statement is rolled back with a WARNING, and the next
 * refresh of the stream table puts it in ERROR, naming what changed.
 */
public final class ImmediateTriggerProgram {
  private final String storage;
  private final String lock;
  private final String searchPath;
  private final String namePrefix;
  private final TriggerBody body;

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
   * @param streamId the stream table's id, which keys its group locks ({@link WriterLocks})
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
      String namePrefix,
      int streamId) {
    this.storage = Sql.qualified(storageSchema, storageTable);
    this.lock = Sql.qualified(lockSchema, lockTable);
    this.searchPath = searchPath;
    this.namePrefix = namePrefix;
    this.body =
        new TriggerBody(
            plan,
            new StepPrinter(new LoopLimit(Sql.display(storageSchema, storageTable))),
            streamId,
            storage,
            storageColumns,
            definingQuery,
            lock,
            namePrefix);
  }

  /** The name of the trigger function of one source (in the functions' schema). */
  public String functionName(long sourceOid) {
    return namePrefix + "_" + sourceOid;
  }

  /**
   * The statements that create the stream table's maintenance lock table. The writers of a plan
   * that locks neither groups nor join keys update its one row once per transaction after taking
   * the IMMEDIATE gate ({@link WriterLocks}): it serializes those writers of one stream table, and
   * in REPEATABLE READ and SERIALIZABLE a writer whose snapshot misses a concurrent maintenance
   * fails with 40001 (serialization failure) instead of computing from a state that misses it. A
   * plan that locks join keys gets one row per bucket of key values instead, for the same check.
   */
  public List<String> installLock() {
    return body.installLock();
  }

  /** The statements that remove what {@link #installLock} created. */
  public List<String> uninstallLock() {
    return List.of("DROP TABLE IF EXISTS " + lock);
  }

  /**
   * The statements that install maintenance for one source: the function (created with the
   * pinned {@code search_path}, which they set and restore around it), its owner and rights, and
   * its AFTER INSERT, UPDATE, DELETE and TRUNCATE triggers and its BEFORE INSERT, UPDATE and DELETE
   * ones, which take the lock and count the AFTER firings a statement has to come (see {@link
   * TriggerBody}).
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
            + Sql.dollarQuoted("\n" + body.of(sourceOid, tables.stream().map(Table::oid).toList()) + "\n"));
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
