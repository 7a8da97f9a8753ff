package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.QueryException;
import java.util.List;
import java.util.function.Consumer;
import dev.trickle.rewriter.parse.QueryParser;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;

/**
 * Compiles a defining query into its {@link MaintenancePlan}, as an ordered list of named passes:
 *
 * <ol>
 *   <li>{@code analyze}: parse, resolve relations, expand {@code *}, refuse constructs without a
 *       rule ({@link BlockAnalyzer});
 *   <li>{@code classify}: a select-project-join block or an aggregating block;
 *   <li>{@code plan}: the block's delta rule and storage layout ({@link SpjPlan}, {@link
 *       AggregatePlan}).
 * </ol>
 *
 * A debug listener receives the plan after each pass. Pure Java: the SQL it emits is executed by
 * the driver.
 */
public final class DeltaCompiler {
  private final CatalogLookup catalog;
  private final Consumer<String> debug;

  /**
   * @param catalog resolves relations and function properties
   * @param debug receives a dump of the plan after each pass (a no-op consumer to disable)
   */
  public DeltaCompiler(CatalogLookup catalog, Consumer<String> debug) {
    this.catalog = catalog;
    this.debug = debug;
  }

  /**
   * Compiles {@code query} for storage {@code names}.
   *
   * @throws QueryException when the query is invalid (bad syntax, unknown relation)
   * @throws UnsupportedQueryException when a construct has no differential rule
   */
  public MaintenancePlan compile(String query, StorageNames names)
      throws QueryException, UnsupportedQueryException {
    Select select = QueryParser.parseSelect(query);
    if (select.getWithItemsList() != null
        && select.getWithItemsList().stream().anyMatch(w -> w.isRecursive())
        && select instanceof PlainSelect) {
      MaintenancePlan plan = new RecursiveQueryAnalyzer(query, catalog).analyze(select, names, this);
      debug.accept("after plan: " + String.join("; ", plan.explain()));
      return plan;
    }
    QueryBlock block = new BlockAnalyzer(query, catalog).analyze();
    debug.accept("after analyze: " + describe(block));
    if (block.outputs().size() != names.columns().size()) {
      throw new QueryException(
          "42P17",
          "the defining query has "
              + block.outputs().size()
              + " output columns but the storage table has "
              + names.columns().size());
    }
    MaintenancePlan plan =
        planBlock(query, block, () -> new BlockAnalyzer(query, catalog).analyze(), names);
    debug.accept("after plan: " + String.join("; ", plan.explain()));
    return plan;
  }

  /** A fresh analysis of the same block (the aggregate projection rewrites its copy in place). */
  @FunctionalInterface
  interface Reanalysis {
    QueryBlock get() throws QueryException, UnsupportedQueryException;
  }

  /** Pass {@code classify} and {@code plan} for one analyzed block. */
  MaintenancePlan planBlock(String query, QueryBlock block, Reanalysis again, StorageNames names)
      throws QueryException, UnsupportedQueryException {
    debug.accept("after classify: " + (block.aggregating() ? "aggregate" : "select-project-join"));
    return block.aggregating()
        ? new AggregatePlan(block, again.get(), names, catalog, query)
        : new SpjPlan(block, names);
  }

  private static String describe(QueryBlock block) {
    StringBuilder s = new StringBuilder();
    for (Input input : block.inputs()) {
      s.append(input.join()).append(' ').append(input.relation().displayName()).append(" AS ")
          .append(input.alias());
      if (input.on() != null) {
        s.append(" ON ").append(input.on());
      }
      s.append("; ");
    }
    s.append("WHERE ").append(block.where()).append("; outputs ").append(block.outputs());
    if (block.aggregating()) {
      s.append("; GROUP BY ").append(block.groupBy()).append("; HAVING ").append(block.having());
    }
    return s.toString();
  }

  /** The names of the passes, in order, for documentation and debug output. */
  public static List<String> passes() {
    return List.of("analyze", "classify", "plan");
  }
}
