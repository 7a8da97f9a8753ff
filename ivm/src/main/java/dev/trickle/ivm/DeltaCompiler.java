package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.QueryException;
import java.util.List;
import java.util.function.Consumer;

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
    debug.accept("after classify: " + (block.aggregating() ? "aggregate" : "select-project-join"));
    MaintenancePlan plan =
        block.aggregating()
            ? new AggregatePlan(
                block, new BlockAnalyzer(query, catalog).analyze(), names, catalog, query)
            : new SpjPlan(block, names);
    debug.accept("after plan: " + String.join("; ", plan.explain()));
    return plan;
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
