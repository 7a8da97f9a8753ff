package dev.trickle.compile;

import dev.trickle.catalog.Column;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.SourceKind;
import dev.trickle.immediate.ImmediateTriggerProgram;
import dev.trickle.ivm.DeltaCompiler;
import dev.trickle.ivm.MaintenancePlan;
import dev.trickle.ivm.Step;
import dev.trickle.ivm.StorageNames;
import dev.trickle.ivm.UnsupportedQueryException;
import dev.trickle.refresh.Compilation;
import dev.trickle.refresh.MaintenanceCompiler;
import dev.trickle.refresh.PlanDescription;
import dev.trickle.refresh.StreamTableDefinition;
import dev.trickle.rewriter.parse.QueryException;
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
    try {
      plan = plan(c, definition);
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
            "__pgt_imm_" + definition.pgtId());
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
    return new Compilation.Differential(
        new PlanProgram(plan),
        sql(plan.setup()),
        sql(plan.populate()),
        sql(plan.teardown()),
        install,
        uninstall,
        new PlanDescription(
            plan.explain(), render(plan.refresh(plan.sourceOids()), ""), plan.probedColumns()));
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

  /** The steps as one SQL text (loops as commented LOOP ... WHILE blocks), for explain_st. */
  private static String render(List<Step> steps, String indent) {
    StringBuilder sql = new StringBuilder();
    for (Step step : steps) {
      if (step.isLoop()) {
        sql.append(indent).append("-- LOOP\n").append(render(step.body(), indent + "  "))
            .append(indent).append("-- WHILE ").append(step.sql()).append('\n');
      } else {
        for (String statement : step.transactionScoped()) {
          sql.append(indent).append(statement).append(";\n");
        }
      }
    }
    return sql.toString();
  }

  private MaintenancePlan plan(Connection c, StreamTableDefinition definition)
      throws QueryException, UnsupportedQueryException {
    List<String> columns = definition.columns().stream().map(Column::name).toList();
    StorageNames names =
        new StorageNames(
            definition.schema(),
            definition.name(),
            columns,
            "pgtrickle",
            "__pgt_state_" + definition.pgtId(),
            String.valueOf(definition.pgtId()));
    String table = definition.qualifiedName();
    return new DeltaCompiler(
            new JdbcCatalogLookup(c),
            DEBUG_PLAN.get()
                ? line -> LOG.atInfo().log(table + " " + line)
                : line -> LOG.atDebug().log(() -> table + " " + line))
        .compile(definition.query(), names);
  }

  /** Flattens steps to statements; plans with fixpoint loops are only run by {@link PlanProgram}. */
  private static List<String> sql(List<Step> steps) {
    List<String> statements = new ArrayList<>();
    for (Step step : steps) {
      if (step.isLoop()) {
        throw new IllegalStateException("setup, populate and teardown steps never loop");
      }
      statements.addAll(step.transactionScoped());
    }
    return statements;
  }
}
