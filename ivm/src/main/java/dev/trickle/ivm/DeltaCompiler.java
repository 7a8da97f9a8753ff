package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.rewriter.parse.QueryParser;
import dev.trickle.rewriter.parse.Relation;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SetOperation;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.UnionOp;

/**
 * Compiles a defining query into its {@link MaintenancePlan}, as an ordered list of named passes:
 *
 * <ol>
 *   <li>{@code analyze}: parse, resolve relations, expand {@code *}, turn subqueries in FROM,
 *       CTEs, views and set-operation branches into derived inputs with nested plans, refuse
 *       constructs without a rule ({@link BlockAnalyzer}, {@link RecursiveQueryAnalyzer});
 *   <li>{@code rewrite}: UNION, INTERSECT and EXCEPT become DISTINCT or grouping over UNION ALL;
 *   <li>{@code classify}: select-project-join, aggregate, UNION ALL or recursive;
 *   <li>{@code plan}: each operator's delta rule and storage ({@link SpjPlan}, {@link
 *       AggregatePlan}, {@link UnionAllPlan}, {@link RecursivePlan}).
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
    debug.accept("before analyze: " + query.strip());
    MaintenancePlan plan = new Session(query, names).plan(query, names.columns(), names, null);
    debug.accept("after plan: " + String.join("; ", plan.explain()));
    return plan;
  }


  /** A fresh analysis of the same block (the aggregate projection rewrites its copy in place). */
  @FunctionalInterface
  interface Reanalysis {
    QueryBlock get() throws QueryException, UnsupportedQueryException;
  }

  /** One compilation: the user's query, its storage, and a counter naming derived inputs. */
  final class Session {
    private final String query;
    private final StorageNames root;
    private int derivedCount;

    Session(String query, StorageNames root) {
      this.query = query;
      this.root = root;
    }

    BlockAnalyzer analyzer(Map<String, Relation> local) {
      return new BlockAnalyzer(query, catalog, local, this::derived);
    }

    /**
     * Plans {@code text}.
     *
     * @param columns the output names, or null to take the query's own
     * @param names storage names when known (the root), or null for a derived input
     * @param sink the derived input's sink, or null for the root
     */
    MaintenancePlan plan(String text, List<String> columns, StorageNames names, DeltaSink sink)
        throws QueryException, UnsupportedQueryException {
      String filtered = FilterAggregateRewrite.rewrite(text);
      if (filtered != null) {
        debug.accept("after rewrite: " + filtered);
        return plan(filtered, columns, names, sink);
      }
      Select select = unwrap(QueryParser.parseSelect(text));
      if (select.getLimit() != null || select.getOffset() != null || select.getFetch() != null) {
        return topK(select, columns, names, sink);
      }
      if (select.getWithItemsList() != null
          && select.getWithItemsList().stream().anyMatch(w -> w.isRecursive())
          && select instanceof PlainSelect) {
        StorageNames storage = names != null ? names : childNames(columnsOf(text, select, columns));
        return new RecursiveQueryAnalyzer(query, catalog).analyze(select, storage, sink, this);
      }
      if (select instanceof SetOperationList setOperations) {
        return setOperation(setOperations, columns, names, sink);
      }
      if (!(select instanceof PlainSelect plain)) {
        throw new BlockAnalyzer(query, catalog).unsupported("query form " + select, null);
      }
      String joinTree = joinTree(plain);
      if (joinTree != null) {
        debug.accept("after rewrite: " + joinTree);
        return plan(joinTree, columns != null ? columns : columnsOf(joinTree, QueryParser.parseSelect(joinTree), null),
            names, sink);
      }
      if (GroupedBlockSplit.applies(plain, catalog)) {
        List<String> outputColumns = columns != null ? columns : columnsOf(text, select, null);
        String split = GroupedBlockSplit.rewrite(text, catalog);
        debug.accept("after rewrite: " + split);
        return plan(split, outputColumns, names, sink);
      }
      String scalarRewrite =
          ScalarSubqueryRewrite.rewrite(text, catalog, new BlockAnalyzer(query, catalog));
      if (scalarRewrite != null) {
        debug.accept("after rewrite: " + scalarRewrite);
        return plan(scalarRewrite, columns != null ? columns : columnsOf(text, select, null), names, sink);
      }
      if (GroupingSetsRewrite.applies(plain)) {
        List<String> outputColumns = columns != null ? columns : namesOnly(Map.of()).analyzePlain(
            groupedByAll(plain)).outputNames();
        String rewritten = GroupingSetsRewrite.rewrite(text, new BlockAnalyzer(query, catalog));
        debug.accept("after rewrite: " + rewritten);
        return plan(rewritten, outputColumns, names, sink);
      }
      QueryBlock block = analyzer(Map.of()).analyzePlain(plain);
      debug.accept("after analyze: " + describe(block));
      List<String> outputColumns = columns != null ? columns : block.outputNames();
      if (block.outputs().size() != outputColumns.size()) {
        throw new QueryException(
            "42P17",
            "the defining query has " + block.outputs().size()
                + " output columns but its storage has " + outputColumns.size());
      }
      StorageNames storage = names != null ? names : childNames(outputColumns);
      return planBlock(text, block, () -> namesOnly(Map.of()).analyzePlain(
          (PlainSelect) unwrap(QueryParser.parseSelect(text))), storage, sink);
    }

    /** An analyzer whose derived inputs only carry names: for re-analyses that plan nothing. */
    BlockAnalyzer namesOnly(Map<String, Relation> local) {
      return new BlockAnalyzer(query, catalog, local, this::placeholder);
    }

    /** Pass {@code classify} and {@code plan} for one analyzed block. */
    MaintenancePlan planBlock(String text, QueryBlock block, Reanalysis again, StorageNames names, DeltaSink sink)
        throws QueryException, UnsupportedQueryException {
      if (block.partitioning() != null) {
        debug.accept("after classify: partitioned (" + block.partitioning().operator() + ")");
        return new PartitionPlan(block, text, names, sink);
      }
      debug.accept(
          "after classify: " + (block.aggregating() ? "aggregate" : "select-project-join"));
      return block.aggregating()
          ? new AggregatePlan(block, again.get(), names, catalog, text, sink)
          : new SpjPlan(block, names, sink);
    }

    private MaintenancePlan setOperation(
        SetOperationList list, List<String> columns, StorageNames names, DeltaSink sink)
        throws QueryException, UnsupportedQueryException {
      BlockAnalyzer probe = new BlockAnalyzer(query, catalog);
      String with =
          list.getWithItemsList() == null || list.getWithItemsList().isEmpty()
              ? ""
              : "WITH "
                  + String.join(
                      ", ", list.getWithItemsList().stream().map(Object::toString).toList())
                  + " ";
      String first = with + list.getSelect(0);
      List<String> outputColumns =
          columns != null ? columns : columnsOf(first, QueryParser.parseSelect(first), null);
      boolean allUnionAll = list.getOperations().stream().allMatch(op -> op instanceof UnionOp u && u.isAll());
      boolean allUnion = list.getOperations().stream().allMatch(op -> op instanceof UnionOp u && !u.isAll());
      String renamed = "AS u(" + Sql.identifiers(outputColumns) + ")";
      if (allUnionAll) {
        List<Derived> branches = new ArrayList<>();
        for (Select branch : list.getSelects()) {
          branches.add(derived(with + branch, outputColumns));
        }
        debug.accept("after rewrite: UNION ALL of " + branches.size() + " branches");
        return new UnionAllPlan(branches, names != null ? names : childNames(outputColumns), sink);
      }
      if (allUnion) {
        String unionAll =
            String.join(" UNION ALL ", list.getSelects().stream().map(s -> "(" + s + ")").toList());
        String rewritten = with + "SELECT DISTINCT * FROM (" + unionAll + ") " + renamed;
        debug.accept("after rewrite: " + rewritten);
        return plan(rewritten, outputColumns, names, sink);
      }
      SetOperation op = list.getOperation(0);
      String kind = op.toString().trim().toUpperCase(java.util.Locale.ROOT);
      if (list.getSelects().size() == 2 && (kind.equals("INTERSECT ALL") || kind.equals("EXCEPT ALL"))) {
        String rewritten = BagSetOperationRewrite.rewrite(with, outputColumns, list.getSelect(0).toString(),
            list.getSelect(1).toString(), kind.startsWith("INTERSECT"));
        debug.accept("after rewrite: " + rewritten);
        return plan(rewritten, outputColumns, names, sink);
      }
      if (list.getSelects().size() != 2
          || kind.endsWith("ALL")
          || !(kind.equals("INTERSECT") || kind.equals("EXCEPT"))) {
        throw probe.unsupported(
            "set operation " + kind + (list.getSelects().size() > 2 ? " mixed with others" : ""),
            kind.split(" ")[0]);
      }
      String side = Sql.identifier("__pgt_side");
      String cols = Sql.identifiers(outputColumns);
      String tagged = "SELECT " + cols + ", 1 AS " + side + " FROM (" + list.getSelect(0)
          + ") AS a(" + cols + ") UNION ALL SELECT " + cols + ", 2 AS " + side + " FROM ("
          + list.getSelect(1) + ") AS b(" + cols + ")";
      String left = "sum(CASE WHEN " + side + " = 1 THEN 1 ELSE 0 END) > 0";
      String right = "sum(CASE WHEN " + side + " = 2 THEN 1 ELSE 0 END) "
          + (kind.equals("INTERSECT") ? "> 0" : "= 0");
      String rewritten = with + "SELECT " + cols + " FROM (" + tagged + ") AS t GROUP BY " + cols
          + " HAVING " + left + " AND " + right;
      debug.accept("after rewrite: " + rewritten);
      return plan(rewritten, outputColumns, names, sink);
    }

    private MaintenancePlan topK(Select select, List<String> columns, StorageNames names, DeltaSink sink)
        throws QueryException, UnsupportedQueryException {
      BlockAnalyzer probe = new BlockAnalyzer(query, catalog);
      if (sink != null) {
        throw probe.unsupported(
            "ORDER BY ... LIMIT inside the query (only the whole query may be a top-n)", "LIMIT");
      }
      if (select.getOrderByElements() == null || select.getOrderByElements().isEmpty()) {
        throw new QueryException(
            "0A000",
            "LIMIT/OFFSET/FETCH without ORDER BY keeps an arbitrary subset of rows, so the stream"
                + " table could not equal its query; add an ORDER BY that decides which rows are"
                + " kept");
      }
      long count;
      if (select.getLimit() != null && select.getLimit().getRowCount() instanceof net.sf.jsqlparser.expression.LongValue n) {
        count = n.getValue();
      } else if (select.getFetch() != null && select.getFetch().getExpression() == null) {
        count = select.getFetch().getRowCount();
      } else if (select.getFetch() != null && select.getFetch().getExpression() instanceof net.sf.jsqlparser.expression.LongValue n) {
        count = n.getValue();
      } else if (select.getLimit() == null && select.getFetch() == null) {
        count = Long.MAX_VALUE;
      } else {
        throw probe.unsupported("LIMIT or FETCH with a non-constant row count", "LIMIT");
      }
      boolean offset = select.getOffset() != null
          || select.getLimit() != null && select.getLimit().getOffset() != null;
      String limitClause = (select.getLimit() != null ? " " + select.getLimit() : "")
          + (select.getOffset() != null ? " " + select.getOffset() : "")
          + (select.getFetch() != null ? " " + select.getFetch() : "");
      List<net.sf.jsqlparser.statement.select.OrderByElement> orderBy = select.getOrderByElements();
      select.setOrderByElements(null);
      select.setLimit(null);
      select.setOffset(null);
      select.setFetch(null);
      String innerText = select.toString();
      List<String> innerColumns = columnsOf(innerText, select, columns);
      Derived inner = derived(innerText, innerColumns);
      List<String> outputExpressions = select instanceof PlainSelect plain
          ? plain.getSelectItems().stream().map(i -> i.getExpression().toString()).toList() : List.of();
      List<TopKPlan.SortKey> keys = new ArrayList<>();
      for (var element : orderBy) {
        String column = sortColumn(element.getExpression(), innerColumns, outputExpressions);
        if (column == null) {
          throw probe.unsupported(
              "ORDER BY " + element.getExpression() + " that is not an output column of the query",
              element.getExpression().toString());
        }
        String nulls =
            element.getNullOrdering() == null
                ? null
                : element.getNullOrdering()
                        == net.sf.jsqlparser.statement.select.OrderByElement.NullOrdering
                            .NULLS_FIRST
                    ? "NULLS FIRST"
                    : "NULLS LAST";
        keys.add(new TopKPlan.SortKey(column, !element.isAsc(), nulls));
      }
      debug.accept("after rewrite: TopK over derived input; order " + keys + limitClause);
      return new TopKPlan(inner, keys, count, limitClause, offset, names);
    }

    private String sortColumn(net.sf.jsqlparser.expression.Expression e, List<String> columns, List<String> outputs) {
      if (e instanceof net.sf.jsqlparser.expression.LongValue ordinal) {
        int i = (int) ordinal.getValue() - 1;
        return i >= 0 && i < columns.size() ? columns.get(i) : null;
      }
      for (int i = 0; i < outputs.size() && i < columns.size(); i++) {
        if (outputs.get(i).equals(e.toString())) {
          return columns.get(i);
        }
      }
      if (e instanceof net.sf.jsqlparser.schema.Column c && c.getTable() == null) {
        String name = Names.fold(c.getColumnName());
        return columns.contains(name) ? name : null;
      }
      return null;
    }

    /** A copy of {@code plain} without grouping, only to learn its output names. */
    private PlainSelect groupedByAll(PlainSelect plain) throws QueryException {
      PlainSelect copy = (PlainSelect) unwrap(QueryParser.parseSelect(plain.toString()));
      copy.setGroupByElement(null);
      return copy;
    }

    /** Compiles a subquery, CTE body, view or branch into a derived input. */
    Derived derived(String subquery, List<String> columnAliases)
        throws QueryException, UnsupportedQueryException {
      int n = ++derivedCount;
      Select select = unwrap(QueryParser.parseSelect(subquery));
      List<String> columns = new ArrayList<>(columnsOf(subquery, select, null));
      for (int i = 0; i < columnAliases.size() && i < columns.size(); i++) {
        columns.set(i, columnAliases.get(i));
      }
      String deltaTable = "pg_temp." + Sql.identifier("__pgt_ddelta_" + root.tag() + "_" + n);
      StorageNames names = derivedNames(n, columns);
      MaintenancePlan plan = plan(subquery, columns, names, DeltaSink.temporaryTable(deltaTable, columns));
      String current =
          plan instanceof AggregatePlan aggregate
              ? aggregate.currentSql()
              : plan instanceof PartitionPlan partitioned
                  ? partitioned.currentSql()
                  : plan instanceof UnionAllPlan union
                      ? "SELECT * FROM (" + union.currentSql() + ") AS u("
                          + Sql.identifiers(columns) + ")"
                      : "SELECT * FROM (" + subquery + ") AS q(" + Sql.identifiers(columns) + ")";
      return new Derived(-(n + 1), deltaTable, current, columns, plan);
    }

    private StorageNames childNames(List<String> columns) {
      return derivedNames(++derivedCount, columns);
    }

    /** The storage of the {@code n}th derived input: its state table is named after the root's. */
    private StorageNames derivedNames(int n, List<String> columns) {
      return new StorageNames(
          null,
          "derived_" + n,
          columns,
          root.stateSchema(),
          root.stateTable() + "_d" + n,
          root.tag() + "_d" + n);
    }

    /** The output names of a query: its first SELECT block's. */
    private List<String> columnsOf(String text, Select select, List<String> given)
        throws QueryException, UnsupportedQueryException {
      if (given != null) {
        return given;
      }
      String filtered = FilterAggregateRewrite.rewrite(text);
      if (filtered != null) {
        return columnsOf(filtered, QueryParser.parseSelect(filtered), null);
      }
      Select s = unwrap(select);
      if (s instanceof SetOperationList list) {
        return columnsOf(list.getSelect(0).toString(), list.getSelect(0), null);
      }
      if (s instanceof PlainSelect plain) {
        if (s.getWithItemsList() != null && s.getWithItemsList().stream().anyMatch(w -> w.isRecursive())) {
          List<String> names = new ArrayList<>();
          plain.getSelectItems().forEach(item -> names.add(BlockAnalyzer.nameOf(item)));
          return names;
        }
        String joinTree = joinTree(plain);
        if (joinTree != null) {
          return columnsOf(joinTree, QueryParser.parseSelect(joinTree), null);
        }
        if (GroupedBlockSplit.applies(plain, catalog)) {
          String split = GroupedBlockSplit.rewrite(text, catalog);
          return columnsOf(split, QueryParser.parseSelect(split), null);
        }
        String rewritten =
            ScalarSubqueryRewrite.rewrite(text, catalog, new BlockAnalyzer(query, catalog));
        return namesOnly(Map.of()).analyzePlain(rewritten == null ? plain
            : (PlainSelect) unwrap(QueryParser.parseSelect(rewritten))).outputNames();
      }
      throw new BlockAnalyzer(query, catalog).unsupported("query form " + s, null);
    }

    /**
     * {@code plain} with its join tree rewritten into joins the rules take (USING and NATURAL
     * joins into ON conditions, an outer join that other joins follow into a derived input), or
     * null when it needs neither; {@code plain} is changed in place.
     */
    private String joinTree(PlainSelect plain) throws QueryException, UnsupportedQueryException {
      FromColumns columns = item -> {
        BlockAnalyzer analyzer = namesOnly(Map.of());
        analyzer.define(plain.getWithItemsList());
        return analyzer.input(1, item, Input.JoinType.CROSS, null).relation().columns().stream()
            .map(dev.trickle.rewriter.parse.RelationColumn::name).toList();
      };
      if (UsingJoinRewrite.applies(plain)) {
        return UsingJoinRewrite.rewrite(plain, columns, catalog);
      }
      return OuterJoinNesting.applies(plain)
          ? OuterJoinNesting.rewrite(plain, columns, catalog, new BlockAnalyzer(query, catalog))
          : null;
    }

    /** A derived input used only to learn column names (never planned). */
    private Derived placeholder(String subquery, List<String> aliases)
        throws QueryException, UnsupportedQueryException {
      List<String> columns = new ArrayList<>(columnsOf(subquery, unwrap(QueryParser.parseSelect(subquery)), null));
      for (int i = 0; i < aliases.size() && i < columns.size(); i++) {
        columns.set(i, aliases.get(i));
      }
      return new Derived(0, "", "", columns, null);
    }
  }

  static Select unwrap(Select select) {
    Select s = select;
    while (s instanceof ParenthesedSelect parenthesed && parenthesed.getWithItemsList() == null) {
      s = parenthesed.getSelect();
    }
    return s;
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
}
