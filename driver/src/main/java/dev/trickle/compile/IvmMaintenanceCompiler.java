package dev.trickle.compile;

import dev.trickle.catalog.Column;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.SourceKind;
import dev.trickle.immediate.ImmediateTriggerProgram;
import dev.trickle.ivm.DeltaCompiler;
import dev.trickle.ivm.LoopLimit;
import dev.trickle.ivm.MaintenancePlan;
import dev.trickle.ivm.NamedColumnReads;
import dev.trickle.ivm.StepPrinter;
import dev.trickle.ivm.StorageNames;
import dev.trickle.ivm.UnsupportedQueryException;
import dev.trickle.refresh.Compilation;
import dev.trickle.refresh.MaintenanceCompiler;
import dev.trickle.refresh.PlanDescription;
import dev.trickle.refresh.StreamTableDefinition;
import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the delta compiler ({@code ivm}) to the refresh engine: compiles a stream table's
 * defining query against the live catalog into a differential program and the trigger programs
 * of IMMEDIATE mode, or says which construct keeps it FULL. Plans are rebuilt from the catalog
 * whenever needed; {@link dev.trickle.refresh.CompilationCache} in front of it keeps them.
 */
public final class IvmMaintenanceCompiler implements MaintenanceCompiler {
  private static final Logger LOG = LoggerFactory.getLogger(IvmMaintenanceCompiler.class);
  private static final ThreadLocal<Boolean> DEBUG_PLAN = ThreadLocal.withInitial(() -> false);

  /**
   * Runs {@code action} with plan dumps after each compiler pass logged (connection property
   * {@code trickle.debug_plan}).
   */
  public static <E extends Exception> void withPlanDebugging(boolean enabled, Action<E> action)
      throws E {
    boolean previous = DEBUG_PLAN.get();
    DEBUG_PLAN.set(enabled);
    try {
      action.run();
    } finally {
      DEBUG_PLAN.set(previous);
    }
  }

  /** A piece of work that may fail. */
  @FunctionalInterface
  public interface Action<E extends Exception> {
    void run() throws E;
  }

  @Override
  public Compilation compile(Connection c, StreamTableDefinition definition) throws SQLException {
    MaintenancePlan plan;
    RememberedCatalog catalog = new RememberedCatalog(new JdbcCatalogLookup(c));
    try {
      plan = plan(catalog, definition, String.valueOf(definition.pgtId()));
    } catch (UnsupportedQueryException e) {
      return new Compilation.FullOnly(e.construct(), e.position(), e.getMessage());
    } catch (QueryException e) {
      throw new SQLException(e.getMessage(), e.sqlState(), e);
    } catch (JdbcCatalogLookup.CatalogReadException e) {
      throw e.getCause();
    }
    Set<Long> captured =
        definition.capturedSources().stream()
            .map(StreamTableDefinition.Source::relid)
            .collect(Collectors.toSet());
    for (long oid : plan.sourceOids()) {
      if (!captured.contains(oid)) {
        return new Compilation.FullOnly(
            "source relation " + oid, 0, "a source of the query has no change capture");
      }
    }
    List<String> install = new ArrayList<>();
    List<String> uninstall = new ArrayList<>();
    ImmediateTriggerProgram program =
        new ImmediateTriggerProgram(
            plan,
            definition.schema(),
            definition.name(),
            definition.columns().stream().map(Column::name).toList(),
            definition.query(),
            definition.searchPath(),
            "pgtrickle",
            "__pgt_imm_lock_" + definition.pgtId(),
            "__pgt_imm_" + definition.pgtId(),
            Math.toIntExact(definition.pgtId()));
    install.addAll(program.installLock());
    for (StreamTableDefinition.Source source : definition.capturedSources()) {
      if (!plan.sourceOids().contains(source.relid())) {
        continue;
      }
      install.addAll(program.install("pgtrickle", source.relid(), triggerTables(c, source)));
      uninstall.addAll(
          ImmediateTriggerProgram.uninstall("pgtrickle", program.functionName(source.relid())));
    }
    uninstall.addAll(program.uninstallLock());
    LoopLimit limit = new LoopLimit(Sql.display(definition.schema(), definition.name()));
    catalog.detach();
    return new Compilation.Differential(
        new PlanProgram(
            plan,
            limit,
            variant -> variant(catalog, definition, variant),
            NamedColumnReads.only(definition.query())),
        StepPrinter.withoutLoops(plan.setup()),
        StepPrinter.withoutLoops(plan.populate()),
        StepPrinter.withoutLoops(plan.teardown()),
        install,
        uninstall,
        new PlanDescription(
            plan.explain(),
            new StepPrinter(limit).explain(plan.refresh(plan.sourceOids())),
            plan.probedColumns(),
            plan.deltaLookups()),
        plan.storageFromState());
  }

  /** The source, and every partition of a partitioned source: each gets the triggers. */
  private static List<ImmediateTriggerProgram.Table> triggerTables(
      Connection c, StreamTableDefinition.Source source) throws SQLException {
    List<ImmediateTriggerProgram.Table> tables = new ArrayList<>();
    tables.add(new ImmediateTriggerProgram.Table(source.relid(), source.qualifiedName()));
    if (source.kind() == SourceKind.PARTITIONED) {
      Relation parent = Relation.find(c, source.relid()).orElseThrow();
      for (long partition : parent.partitions(c)) {
        Relation table = Relation.find(c, partition).orElseThrow();
        tables.add(new ImmediateTriggerProgram.Table(partition, table.qualifiedName()));
      }
    }
    return tables;
  }

  /**
   * The plan again, against the catalog the first compilation saw, with the work tables of program
   * variant {@code variant} named apart (their tag ends in {@code _v<variant>}).
   */
  private MaintenancePlan variant(
      RememberedCatalog catalog, StreamTableDefinition definition, int variant) {
    try {
      return plan(catalog, definition, definition.pgtId() + "_v" + variant);
    } catch (QueryException | UnsupportedQueryException e) {
      throw new IllegalStateException("a query compiled before no longer compiles", e);
    }
  }

  /** The plan of the definition, its work tables tagged {@code tag}. */
  private MaintenancePlan plan(
      RememberedCatalog catalog, StreamTableDefinition definition, String tag)
      throws QueryException, UnsupportedQueryException {
    List<String> columns = definition.columns().stream().map(Column::name).toList();
    StorageNames names =
        new StorageNames(
            definition.schema(),
            definition.name(),
            columns,
            "pgtrickle",
            "__pgt_state_" + definition.pgtId(),
            tag);
    String table = definition.qualifiedName();
    return new DeltaCompiler(
            catalog,
            DEBUG_PLAN.get()
                ? line -> LOG.atInfo().log(table + " " + line)
                : line -> LOG.atDebug().log(() -> table + " " + line))
        .compile(definition.query(), names);
  }
}
