package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.QueryException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;

/**
 * A [NOT] EXISTS / [NOT] IN subquery that is not over one table (it joins, groups with HAVING,
 * reads a view or CTE, is a set operation, or nests subqueries of its own) as a {@link SemiJoin}
 * over a <em>derived input</em> B with its own maintained plan:
 *
 * <ul>
 *   <li>uncorrelated: B is the subquery itself; {@code EXISTS} tests that B has a row, {@code x IN}
 *       matches B's one column (TPC-H Q18: {@code o_orderkey IN (SELECT l_orderkey FROM lineitem
 *       GROUP BY l_orderkey HAVING sum(l_quantity) > 300)}, B a maintained aggregate; Q20: B a
 *       block with its own semi-join and decorrelated scalar subquery);
 *   <li>correlated through conjuncts of its WHERE: B is the subquery without them, exposing the
 *       columns they read, and the conjuncts become the semi-join's condition over B's columns
 *       and the outer block's ({@code EXISTS (SELECT 1 FROM b JOIN c ON … WHERE b.k = o.k AND
 *       c.x <> o.y)}).
 * </ul>
 *
 * Equivalent because the semi-join rule only asks of B its rows that satisfy the condition, now
 * and before the refresh's changes. A correlated subquery that groups, aggregates, is DISTINCT,
 * or reads outer columns outside its WHERE conjuncts has no such B and is refused.
 */
final class DerivedSemiJoin {
  /** Compiles the subquery text into B, named {@value SemiJoinFinder#ALIAS}. */
  @FunctionalInterface
  interface Compiler {
    Input compile(String subquery, List<String> columnAliases)
        throws QueryException, UnsupportedQueryException;
  }

  private static final String VALUE = "__pgt_v";
  private static final String ALIAS = Sql.identifier(SemiJoinFinder.ALIAS);

  private DerivedSemiJoin() {}

  /**
   * @param negated NOT EXISTS / NOT IN
   * @param outerValue for IN, the outer expression with its columns qualified; null for EXISTS
   * @param subquery the subquery (edited: pass a copy)
   * @param rest the block's other conjuncts, or null
   */
  static SemiJoin of(boolean negated, String outerValue, Select subquery, String rest,
      List<Input> outer, CatalogLookup catalog, Compiler compiler, BlockAnalyzer refusals)
      throws QueryException, UnsupportedQueryException {
    SubqueryScope scope = SubqueryScope.of(subquery, catalog, outer);
    Select s = DeltaCompiler.unwrap(subquery);
    String text = s.toString();
    if (!(s instanceof PlainSelect plain)) {
      if (outerValue == null || !(s instanceof SetOperationList) || scope.readsOuter(s)) {
        throw refusals.unsupported((outerValue == null ? "EXISTS over a set operation" : "IN over a correlated set operation")
            + " (" + ConstructFinder.abbreviated(text) + ")", text);
      }
      Input b = compiler.compile(text, List.of(VALUE));
      return new SemiJoin(negated, b, match(negated, outerValue), rest);
    }
    List<Expression> own = new ArrayList<>();
    List<Expression> correlations = new ArrayList<>();
    for (Expression conjunct : Conjuncts.of(plain.getWhere())) {
      (scope.readsOuter(conjunct) ? correlations : own).add(conjunct);
    }
    if (!correlations.isEmpty()) {
      plain.setWhere(and(own));
    }
    if (outerValue != null && plain.getSelectItems().size() != 1) {
      throw refusals.unsupported("IN subquery with more than one column", text);
    }
    if (correlations.isEmpty()) {
      if (scope.readsOuter(plain)) {
        throw refusals.unsupported(kind(outerValue) + " subquery reading outer columns outside its WHERE "
            + "(" + ConstructFinder.abbreviated(text) + ")", text);
      }
      if (outerValue == null) {
        plain.setSelectItems(List.of(SelectItem.from(
            parse(plain.getGroupBy() == null && aggregates(plain, catalog) ? "count(*)" : "1"),
            new Alias(Sql.identifier("__pgt_one")))));
        return new SemiJoin(negated, compiler.compile(plain.toString(), List.of()), "TRUE", rest);
      }
      Input b = compiler.compile(plain.toString(), List.of(VALUE));
      return new SemiJoin(negated, b, match(negated, outerValue), rest);
    }
    if (plain.getGroupBy() != null || plain.getHaving() != null || plain.getDistinct() != null
        || plain.getLimit() != null || plain.getOffset() != null || plain.getFetch() != null
        || aggregates(plain, catalog)) {
      throw refusals.unsupported(kind(outerValue) + " subquery that is correlated and groups, aggregates,"
          + " is DISTINCT or limits its rows (" + ConstructFinder.abbreviated(text) + ")", text);
    }
    Expression value = outerValue == null ? null : plain.getSelectItems().get(0).getExpression();
    plain.setSelectItems(new ArrayList<>());
    if (scope.readsOuter(plain) || value != null && scope.readsOuter(value)) {
      throw refusals.unsupported(kind(outerValue) + " subquery reading outer columns outside its WHERE conjuncts "
          + "(" + ConstructFinder.abbreviated(text) + ")", text);
    }
    Map<String, String> exposed = new LinkedHashMap<>();
    List<String> condition = new ArrayList<>();
    for (Expression correlation : correlations) {
      Expression copy = parse(correlation.toString());
      SubqueryScope.columns(copy, c -> expose(c, scope, outer, exposed));
      condition.add("(" + copy + ")");
    }
    List<SelectItem<?>> items = new ArrayList<>();
    for (Map.Entry<String, String> e : exposed.entrySet()) {
      items.add(SelectItem.from(parse(e.getKey()), new Alias(Sql.identifier(e.getValue()))));
    }
    if (value != null) {
      items.add(SelectItem.from(value, new Alias(Sql.identifier(VALUE))));
    }
    if (items.isEmpty()) {
      items.add(SelectItem.from(parse("1"), new Alias(Sql.identifier("__pgt_one"))));
    }
    plain.setSelectItems(items);
    Input b = compiler.compile(plain.toString(), List.of());
    String where = String.join(" AND ", condition);
    return new SemiJoin(negated, b, outerValue == null ? where : where + " AND " + match(negated, outerValue), rest);
  }

  /** Rewrites {@code c} in place: an own column reads B's exposed column, an outer one is qualified. */
  private static void expose(Column c, SubqueryScope scope, List<Input> outer, Map<String, String> exposed) {
    if (scope.isOuter(c)) {
      if (c.getTable() == null || c.getTable().getName() == null) {
        String name = Names.fold(c.getColumnName());
        List<Input> owners = outer.stream().filter(i -> i.relation().column(name) != null).toList();
        if (owners.size() == 1) {
          c.setTable(new Table(Sql.identifier(owners.get(0).alias())));
        }
      }
      return;
    }
    String name = exposed.computeIfAbsent(c.toString(), k -> "__pgt_c" + (exposed.size() + 1));
    c.setTable(new Table(ALIAS));
    c.setColumnName(Sql.identifier(name));
  }

  private static String match(boolean negated, String outerValue) {
    String inner = ALIAS + "." + Sql.identifier(VALUE);
    return negated
        ? "(" + inner + " = " + outerValue + " OR " + inner + " IS NULL OR " + outerValue + " IS NULL)"
        : inner + " = " + outerValue;
  }

  private static String kind(String outerValue) {
    return outerValue == null ? "EXISTS" : "IN";
  }

  private static boolean aggregates(PlainSelect plain, CatalogLookup catalog) {
    ConstructFinder finder = new ConstructFinder(catalog, a -> { });
    for (SelectItem<?> item : plain.getSelectItems()) {
      item.getExpression().accept(finder, null);
    }
    return finder.aggregates() > 0;
  }

  private static Expression and(List<Expression> conjuncts) throws QueryException {
    if (conjuncts.isEmpty()) {
      return null;
    }
    try {
      return net.sf.jsqlparser.parser.CCJSqlParserUtil.parseCondExpression(
          String.join(" AND ", conjuncts.stream()
              .map(e -> e instanceof net.sf.jsqlparser.expression.operators.conditional.OrExpression
                  ? "(" + e + ")" : e.toString())
              .toList()));
    } catch (net.sf.jsqlparser.JSQLParserException e) {
      throw new QueryException("42601", "the defining query does not parse: " + conjuncts, e);
    }
  }

  private static Expression parse(String expression) throws QueryException {
    try {
      return net.sf.jsqlparser.parser.CCJSqlParserUtil.parseExpression(expression);
    } catch (net.sf.jsqlparser.JSQLParserException e) {
      throw new QueryException("42601", "the defining query does not parse: " + expression, e);
    }
  }

}
