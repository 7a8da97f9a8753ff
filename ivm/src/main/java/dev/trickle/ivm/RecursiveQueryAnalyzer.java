package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.rewriter.parse.Relation;
import dev.trickle.rewriter.parse.RelationColumn;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sf.jsqlparser.expression.DoubleValue;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.expression.StringValue;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;
import net.sf.jsqlparser.statement.select.UnionOp;
import net.sf.jsqlparser.statement.select.WithItem;

/**
 * Pass {@code analyze} for {@code WITH RECURSIVE}: checks the shape the recursive rules cover (one
 * recursive CTE, a non-recursive base UNION ALL a step joining one source to the CTE, no
 * aggregate, DISTINCT or set operation inside the step, no SEARCH/CYCLE clause) and builds the
 * blocks of a {@link RecursivePlan}.
 */
final class RecursiveQueryAnalyzer {
  private final String query;
  private final CatalogLookup catalog;

  RecursiveQueryAnalyzer(String query, CatalogLookup catalog) {
    this.query = query;
    this.catalog = catalog;
  }

  MaintenancePlan analyze(
      Select select, StorageNames names, DeltaSink sink, DeltaCompiler.Session session)
      throws QueryException, UnsupportedQueryException {
    BlockAnalyzer probe = new BlockAnalyzer(query, catalog);
    List<WithItem<?>> withItems = select.getWithItemsList();
    if (withItems.size() != 1) {
      throw probe.unsupported("WITH RECURSIVE with several common table expressions", "WITH");
    }
    WithItem<?> cte = withItems.get(0);
    if (cte.getSearchClause() != null || cte.getCycleClause() != null) {
      throw probe.unsupported("SEARCH/CYCLE clause of a recursive CTE (filter cycles in the step instead)",
          cte.getSearchClause() != null ? "SEARCH" : "CYCLE");
    }
    String name = Names.fold(cte.getAliasName());
    String cteText = cte.toString().replaceFirst("(?i)^\\s*RECURSIVE\\s+", "");
    Select body = (Select) cte.getSelect();
    while (body instanceof ParenthesedSelect parenthesed) {
      body = parenthesed.getSelect();
    }
    if (!(body instanceof SetOperationList union)
        || union.getSelects().size() != 2
        || !(union.getOperation(0) instanceof UnionOp op)
        || !(union.getSelect(0) instanceof PlainSelect base)
        || !(union.getSelect(1) instanceof PlainSelect step)) {
      throw probe.unsupported("recursive CTE that is not 'base UNION ALL step'", "RECURSIVE");
    }
    List<String> columns = columnNames(cte, base, probe);
    List<RelationColumn> relationColumns = new ArrayList<>();
    columns.forEach(c -> relationColumns.add(new RelationColumn(c, "unknown", false)));
    boolean storageIsState =
        op.isAll()
            && names.columns().equals(columns)
            && select instanceof PlainSelect plain
            && returnsAsItIs(plain, name, columns);
    String recursiveSchema = storageIsState ? names.schema() : names.stateSchema();
    String recursiveTable = storageIsState ? names.table() : names.stateTable() + "_rec";
    Relation recursive =
        new Relation(RecursivePlan.RECURSIVE_RELATION, recursiveSchema, recursiveTable,
            Relation.Kind.TABLE, relationColumns, List.of(), null);
    Map<String, Relation> local = Map.of(name, recursive);
    QueryBlock baseBlock = new BlockAnalyzer(query, catalog).analyzePlain(base);
    QueryBlock stepBlock = new BlockAnalyzer(query, catalog, local, null).analyzePlain(step);
    if (baseBlock.aggregating() || stepBlock.aggregating()) {
      throw probe.unsupported("aggregate or DISTINCT inside a recursive CTE (not monotone)", "GROUP BY");
    }
    if (stepBlock.inputs().size() != 2
        || stepBlock.inputs().stream().filter(i -> i.relation() == recursive).count() != 1
        || stepBlock.leftJoined() != null) {
      throw probe.unsupported(
          "recursive step that does not inner-join exactly one table to the CTE", name);
    }
    if (baseBlock.outputs().size() != columns.size() || stepBlock.outputs().size() != columns.size()) {
      throw new QueryException("42601", "the branches of recursive CTE " + name + " have different column counts");
    }
    Set<String> neverNull = neverNullColumns(baseBlock, stepBlock, recursive, columns);
    List<RelationColumn> knownColumns = new ArrayList<>();
    columns.forEach(c -> knownColumns.add(new RelationColumn(c, "unknown", neverNull.contains(c))));
    Relation known =
        new Relation(RecursivePlan.RECURSIVE_RELATION, recursive.schema(), recursive.name(),
            Relation.Kind.TABLE, knownColumns, List.of(), null);
    PlainSelect outerSelect = (PlainSelect) select;
    Map<String, Relation> outerLocal = Map.of(name, known);
    outerSelect.setWithItemsList(null);
    QueryBlock outer = session.analyzer(outerLocal).analyzePlain(outerSelect);
    if (outer.outputs().size() != names.columns().size()) {
      throw new QueryException("42P17", "the defining query has " + outer.outputs().size()
          + " output columns but its storage has " + names.columns().size());
    }
    MaintenancePlan outerPlan =
        session.planBlock(
            query, outer, () -> session.namesOnly(outerLocal).analyzePlain(outerSelect), names, sink);
    String materialize = "WITH RECURSIVE " + cteText + " SELECT * FROM " + Sql.identifier(name);
    return new RecursivePlan(
        materialize, recursive, baseBlock, stepBlock, outerPlan, names, !op.isAll(),
        columns.stream().filter(neverNull::contains).toList(), storageIsState);
  }

  /**
   * Whether the outer query returns the CTE {@code cteName} as it is: {@code SELECT *} or every
   * column in order under its own name, from the CTE alone, without filter, grouping, DISTINCT,
   * ordering or limit.
   */
  private static boolean returnsAsItIs(PlainSelect outer, String cteName, List<String> columns) {
    if (!(outer.getFromItem() instanceof Table table)
        || table.getSchemaName() != null
        || !Names.fold(table.getName()).equals(cteName)
        || (outer.getJoins() != null && !outer.getJoins().isEmpty())
        || outer.getWhere() != null
        || outer.getGroupBy() != null
        || outer.getHaving() != null
        || outer.getDistinct() != null
        || outer.getOrderByElements() != null
        || outer.getLimit() != null
        || outer.getOffset() != null
        || outer.getFetch() != null) {
      return false;
    }
    List<SelectItem<?>> items = outer.getSelectItems();
    if (items.size() == 1 && items.get(0).getExpression() instanceof AllColumns) {
      return true;
    }
    if (items.size() != columns.size()) {
      return false;
    }
    for (int i = 0; i < items.size(); i++) {
      SelectItem<?> item = items.get(i);
      if (!(item.getExpression() instanceof Column column)
          || !Names.fold(column.getColumnName()).equals(columns.get(i))
          || (item.getAlias() != null && !Names.fold(item.getAlias().getName()).equals(columns.get(i)))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The CTE's columns that are never NULL: in the base case and in the step, the output is a NOT
   * NULL column of a table that no outer join pads, a non-NULL literal, or (in the step) a column
   * of the CTE itself that is never NULL. Computed as the greatest fixpoint: start from every
   * column and drop those the step cannot keep non-NULL until nothing changes. State and storage
   * rows are then matched with {@code =} on these columns through an index, instead of hashing
   * every row's text.
   */
  private static Set<String> neverNullColumns(
      QueryBlock base, QueryBlock step, Relation recursive, List<String> columns) {
    Set<String> candidates = new LinkedHashSet<>();
    for (int i = 0; i < columns.size(); i++) {
      if (neverNull(base, base.outputs().get(i), recursive, columns, Set.of())) {
        candidates.add(columns.get(i));
      }
    }
    boolean changed = true;
    while (changed) {
      changed = false;
      for (int i = 0; i < columns.size(); i++) {
        String column = columns.get(i);
        if (candidates.contains(column)
            && !neverNull(step, step.outputs().get(i), recursive, columns, candidates)) {
          candidates.remove(column);
          changed = true;
        }
      }
    }
    return candidates;
  }

  private static boolean neverNull(
      QueryBlock block, Expression output, Relation recursive, List<String> columns,
      Set<String> recursiveNeverNull) {
    if (output instanceof LongValue || output instanceof StringValue || output instanceof DoubleValue) {
      return true;
    }
    if (!(output instanceof Column column)) {
      return false;
    }
    String name = Names.fold(column.getColumnName());
    Input input = null;
    if (column.getTable() != null && column.getTable().getName() != null) {
      input = block.input(Names.fold(column.getTable().getName()));
    } else {
      List<Input> having =
          block.inputs().stream().filter(in -> in.relation().column(name) != null).toList();
      input = having.size() == 1 ? having.get(0) : null;
    }
    if (input == null || input.derived() != null || block.padded(input)) {
      return false;
    }
    if (input.relation() == recursive) {
      return columns.contains(name) && recursiveNeverNull.contains(name);
    }
    return block.neverNull(input, name);
  }

  private List<String> columnNames(WithItem<?> cte, PlainSelect base, BlockAnalyzer probe)
      throws UnsupportedQueryException {
    List<String> names = new ArrayList<>();
    if (cte.getWithItemList() != null && !cte.getWithItemList().isEmpty()) {
      for (SelectItem<?> item : cte.getWithItemList()) {
        names.add(Names.fold(item.toString()));
      }
      return names;
    }
    for (SelectItem<?> item : base.getSelectItems()) {
      Expression e = item.getExpression();
      if (item.getAlias() != null) {
        names.add(Names.fold(item.getAlias().getName()));
      } else if (e instanceof Column column) {
        names.add(Names.fold(column.getColumnName()));
      } else {
        throw probe.unsupported("unnamed expression " + e + " in the base of a recursive CTE (add AS name)", e.toString());
      }
    }
    return names;
  }
}
