package dev.trickle.immediate;

import dev.trickle.ivm.DeltaNames;
import dev.trickle.ivm.MaintenancePlan;
import dev.trickle.ivm.Step;
import dev.trickle.ivm.StepPrinter;
import dev.trickle.sql.Sql;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The PL/pgSQL body of one source's trigger function.
 *
 * <p><b>Once per statement, across sources.</b> One SQL statement can fire several AFTER statement
 * triggers of the stream table's sources: an upsert and {@code MERGE} fire one per kind of action,
 * a statement with data-modifying {@code WITH} queries one per query (on one source or several), a
 * foreign key that cascades from one source into another fires the other's triggers inside the
 * statement, and so does a trigger on one source that writes another. Each firing already sees its
 * table, and the other sources, as the statement left them so far. The delta rules read every
 * source as "the state before the deltas plus the deltas", so all of those changes must be
 * maintained once, together. Every firing is announced by a BEFORE statement trigger, and a
 * statement's BEFORE triggers fire before any of its AFTER ones (a nested statement's both fire
 * inside the outer statement, before the outer AFTER one): the BEFORE firings of every source
 * count the firings to come in one counter per stream table, each AFTER firing counts one down,
 * and the one that brings the count to zero maintains the stream table from all of them.
 *
 * <p><b>Planned once per session.</b> A firing that is the statement's only one (count back to
 * zero, nothing stashed by other firings) copies its transition tables into the source's delta
 * table and runs the plan's steps for that source as static SQL of the function over session work
 * tables ({@link WorkTables}, {@link StepPrinter.TriggerForm#PLANNED}): PL/pgSQL plans each
 * statement once per session. Otherwise each firing adds its transition rows to its source's
 * {@link Stash}, a session work table too, and the last one maintains from the stashes: when only
 * its own source changed (an upsert, {@code MERGE}, several {@code WITH} queries writing one
 * source, a write naming a partition) it copies the stash into the delta table and runs the same
 * planned steps; when several sources changed it runs the plan of all sources together (a source
 * without changes gets an empty delta), the combination a deferred refresh uses, as {@code
 * EXECUTE} of each statement over tables made for the transaction: statements that change several
 * sources at once are rare enough that a plan kept per session does not pay.
 *
 * <p><b>Concurrency.</b> The first statement of a transaction that writes any source takes the
 * IMMEDIATE gate (in its BEFORE trigger, before the statement locks any row of a source), a plan
 * that can lock groups locks the changed groups right after computing them, and a join that can
 * lock its key values locks those of the changed rows before its first step; see {@link
 * WriterLocks}.
 *
 * <p>The counter and the gate flag live in transaction-local settings ({@code
 * pgtrickle.__pgt_imm_<id>_*}), which roll back with a failed statement or savepoint; the counter is
 * also bound to the client statement ({@code statement_timestamp()}), so nothing carries over. A
 * session that sets those settings itself can make its own writes go unmaintained, as a session
 * can skip any trigger it may disable.
 */
final class TriggerBody {
  private final MaintenancePlan plan;
  private final String storage;
  private final List<String> storageColumns;
  private final String definingQuery;
  private final String namePrefix;
  private final List<Long> sourceOids;
  private final String pendingSetting;
  private final String lockedSetting;
  private final StepPrinter printer;
  private final WriterLocks locks;

  TriggerBody(
      MaintenancePlan plan,
      StepPrinter printer,
      int streamId,
      String storage,
      List<String> storageColumns,
      String definingQuery,
      String lock,
      String namePrefix) {
    this.plan = plan;
    this.printer = printer;
    this.storage = storage;
    this.storageColumns = List.copyOf(storageColumns);
    this.definingQuery = definingQuery;
    this.namePrefix = namePrefix;
    this.sourceOids = plan.sourceOids().stream().sorted().toList();
    this.pendingSetting = "pgtrickle." + namePrefix + "_pending";
    this.lockedSetting = "pgtrickle." + namePrefix + "_locked";
    this.locks = new WriterLocks(
        streamId, lock, lockedSetting, plan.groupLocking(), plan.keyLocking(), storage);
  }

  /** The statements that create the stream table's lock table ({@link WriterLocks#installLock}). */
  List<String> installLock() {
    return locks.installLock();
  }

  /** The body of the function of {@code sourceOid}, whose triggers are on {@code tableOids}. */
  String of(long sourceOid, List<Long> tableOids) {
    List<Step> own = plan.refresh(Set.of(sourceOid));
    WorkTables work = new WorkTables(sourceOid, own, "pgtrickle." + namePrefix);
    StringBuilder body = new StringBuilder();
    body.append("#variable_conflict use_column\n");
    body.append("DECLARE\n")
        .append("  __pgt_previous text;\n  __pgt_pending int := 0;\n  __pgt_count text;\n")
        .append(WorkTables.declarations()).append(Stash.declarations())
        .append(WriterLocks.declarations());
    body.append("BEGIN\n");
    body.append("  IF TG_RELID <> ALL ('{")
        .append(tableOids.stream().map(String::valueOf).collect(Collectors.joining(",")))
        .append("}'::pg_catalog.oid[]) THEN\n");
    body.append("    RAISE EXCEPTION USING MESSAGE = ")
        .append(Sql.literal("this function maintains " + storage + " for its own source only"))
        .append(";\n");
    body.append("  END IF;\n");
    locks.appendGate(body);
    appendCount(body);
    body.append("  __pgt_previous := pg_catalog.current_setting('pgtrickle.maintenance', true);\n");
    body.append("  BEGIN\n");
    body.append("  PERFORM pg_catalog.set_config('pgtrickle.maintenance', 'on', true);\n");
    body.append("  IF TG_OP = 'TRUNCATE' THEN\n");
    locks.appendTruncate(body, "    ");
    body.append("    DELETE FROM ").append(storage).append(";\n");
    body.append("    INSERT INTO ").append(storage).append(" (").append(Sql.identifiers(storageColumns))
        .append(") ").append(definingQuery.strip()).append(";\n");
    body.append(printer.triggerBody(plan.populate(), "    ", StepPrinter.TriggerForm.TRANSACTION_SCOPED));
    body.append("  ELSIF __pgt_pending = 0 AND TG_RELID = ").append(sourceOid).append(" AND NOT (")
        .append(anyHeld(sourceOids)).append(") THEN\n");
    work.appendEnsure(body, "    ");
    body.append("    DELETE FROM ").append(DeltaNames.deltaTable(sourceOid)).append(";\n");
    appendCopy(body, DeltaNames.deltaTable(sourceOid), "    ");
    appendOwnSteps(body, sourceOid, own, work, "    ");
    body.append("  ELSE\n");
    Stash stash = new Stash(sourceOid, namePrefix);
    stash.appendAdd(body, "    ");
    body.append("    IF __pgt_pending = 0 THEN\n");
    List<Long> others = sourceOids.stream().filter(oid -> oid != sourceOid).toList();
    String indent = others.isEmpty() ? "      " : "        ";
    if (!others.isEmpty()) {
      body.append("      IF NOT (").append(anyHeld(others)).append(") THEN\n");
    }
    work.appendEnsure(body, indent);
    body.append(indent).append("DELETE FROM ").append(DeltaNames.deltaTable(sourceOid)).append(";\n");
    body.append(indent).append("INSERT INTO ").append(DeltaNames.deltaTable(sourceOid))
        .append(" SELECT * FROM ").append(stash.table()).append(";\n");
    stash.appendConsumed(body, indent);
    appendOwnSteps(body, sourceOid, own, work, indent);
    stash.appendShrink(body, indent);
    if (!others.isEmpty()) {
      body.append("      ELSE\n");
      appendMaintenance(body, "        ");
      body.append("      END IF;\n");
    }
    body.append("    END IF;\n");
    body.append("  END IF;\n");
    locks.appendUniqueViolationHandler(body);
    body.append("  WHEN undefined_column OR undefined_table OR datatype_mismatch\n");
    body.append("      OR undefined_function THEN\n");
    for (long oid : sourceOids) {
      new Stash(oid, namePrefix).appendConsumed(body, "    ");
    }
    body.append("    RAISE WARNING USING MESSAGE = ")
        .append(Sql.literal("stream table " + storage + " is not maintained: "))
        .append(" || SQLERRM, HINT = ")
        .append(Sql.literal("a source of its query changed; refresh it to see what, and change its"
            + " query with pgtrickle.alter_stream_table"))
        .append(";\n");
    body.append("  END;\n");
    body.append("  PERFORM pg_catalog.set_config('pgtrickle.maintenance',"
        + " COALESCE(__pgt_previous, 'off'), true);\n");
    body.append("  RETURN NULL;\n");
    body.append("END");
    return body.toString();
  }

  /** BEFORE firings count up and return; AFTER firings (but TRUNCATE) count down. */
  private void appendCount(StringBuilder body) {
    String stamp = "pg_catalog.statement_timestamp()::text";
    body.append("  __pgt_count := pg_catalog.current_setting(").append(Sql.literal(pendingSetting))
        .append(", true);\n");
    body.append("  IF pg_catalog.split_part(__pgt_count, '#', 1) = ").append(stamp).append(" THEN\n");
    body.append("    __pgt_pending := pg_catalog.split_part(__pgt_count, '#', 2)::int;\n");
    body.append("  END IF;\n");
    body.append("  IF TG_WHEN = 'BEFORE' THEN\n");
    body.append("    PERFORM pg_catalog.set_config(").append(Sql.literal(pendingSetting)).append(", ")
        .append(stamp).append(" || '#' || (__pgt_pending + 1), true);\n");
    body.append("    RETURN NULL;\n");
    body.append("  END IF;\n");
    body.append("  IF TG_OP <> 'TRUNCATE' AND __pgt_pending > 0 THEN\n");
    body.append("    __pgt_pending := __pgt_pending - 1;\n");
    body.append("    PERFORM pg_catalog.set_config(").append(Sql.literal(pendingSetting)).append(", ")
        .append(stamp).append(" || '#' || __pgt_pending, true);\n");
    body.append("  END IF;\n");
  }

  /** Copies the firing's transition tables into {@code target}, weighted. */
  static void appendCopy(StringBuilder body, String target, String indent) {
    body.append(indent).append("IF TG_OP = 'INSERT' THEN\n");
    body.append(indent).append("  INSERT INTO ").append(target).append(" SELECT *, 1 FROM new_rows;\n");
    body.append(indent).append("ELSIF TG_OP = 'DELETE' THEN\n");
    body.append(indent).append("  INSERT INTO ").append(target).append(" SELECT *, -1 FROM old_rows;\n");
    body.append(indent).append("ELSE\n");
    body.append(indent).append("  INSERT INTO ").append(target)
        .append(" SELECT *, -1 FROM old_rows UNION ALL SELECT *, 1 FROM new_rows;\n");
    body.append(indent).append("END IF;\n");
  }

  /**
   * Appends the source's own steps, planned once per session, over its delta table as filled, and
   * the truncation of the work tables a large statement grew.
   */
  private void appendOwnSteps(
      StringBuilder body, long sourceOid, List<Step> own, WorkTables work, String indent) {
    locks.appendSteps(body, own, Set.of(sourceOid), indent, true,
        (steps, in) -> body.append(printer.triggerBody(steps, in, StepPrinter.TriggerForm.PLANNED)));
    work.appendShrink(body, indent);
  }

  /** A condition: one of the sources has changes of the present statement in its stash. */
  private String anyHeld(List<Long> oids) {
    return oids.stream()
        .map(oid -> new Stash(oid, namePrefix).held())
        .collect(Collectors.joining(" OR "));
  }

  /**
   * Appends the maintenance of a statement that changed several sources: each source's stashed
   * changes become its delta table for the transaction (an empty one when it has none), the plan's
   * steps for all sources run as the deferred refresh combines them, and the delta tables go.
   * Statements that change several sources at once are rare enough that this path creates its
   * tables for the transaction and plans every statement when it runs.
   */
  private void appendMaintenance(StringBuilder body, String indent) {
    for (long oid : sourceOids) {
      String delta = DeltaNames.deltaTable(oid);
      Stash stash = new Stash(oid, namePrefix);
      body.append(StepPrinter.dropIfExists(delta, indent));
      body.append(indent).append("IF ").append(stash.held()).append(" THEN\n");
      body.append(indent).append("  EXECUTE ")
          .append(Sql.literal("CREATE TEMP TABLE " + delta + " ON COMMIT DROP AS SELECT * FROM "
              + stash.table()))
          .append(";\n");
      stash.appendConsumed(body, indent + "  ");
      body.append(indent).append("ELSE\n");
      body.append(indent).append("  EXECUTE pg_catalog.format(")
          .append(Sql.literal("CREATE TEMP TABLE " + delta + " ON COMMIT DROP AS SELECT *, 1 AS "
              + DeltaNames.WEIGHT + " FROM %s WITH NO DATA"))
          .append(", ").append(oid).append("::pg_catalog.regclass);\n");
      body.append(indent).append("END IF;\n");
    }
    locks.appendSteps(body, plan.refresh(Set.copyOf(sourceOids)), Set.copyOf(sourceOids), indent,
        false, (steps, in) -> body.append(
            printer.triggerBody(steps, in, StepPrinter.TriggerForm.TRANSACTION_SCOPED)));
    for (long oid : sourceOids) {
      body.append(indent).append("DROP TABLE ").append(DeltaNames.deltaTable(oid)).append(";\n");
    }
  }
}
