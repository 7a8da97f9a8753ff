package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.rewriter.parse.QueryParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Pass {@code rewrite} for uncorrelated scalar subqueries that aggregate without GROUP BY (they
 * return exactly one row), in the SELECT list or WHERE: each becomes a CROSS JOIN with a derived
 * input {@code (subquery) AS __pgt_sqN(v)} and the expression reads {@code __pgt_sqN.v}. The
 * derived input is a maintained scalar aggregate, so a change to its table updates every row
 * through the join rule.
 */
final class ScalarSubqueryRewrite {
  private ScalarSubqueryRewrite() {}

  /** The rewritten text, or null when the block has no such subquery. */
  static String rewrite(String text, CatalogLookup catalog) throws QueryException {
    PlainSelect plain = (PlainSelect) DeltaCompiler.unwrap(QueryParser.parseSelect(text));
    if (plain.getFromItem() == null) {
      // Nothing to join the subquery's row to: the block is analyzed (or refused) as it is.
      return null;
    }
    Map<String, String> found = new LinkedHashMap<>();
    ExpressionVisitorAdapter<Void> finder = new ExpressionVisitorAdapter<>() {
      @Override
      public <S> Void visit(ExistsExpression exists, S context) {
        return null;
      }

      @Override
      public <S> Void visit(InExpression in, S context) {
        return in.getRightExpression() instanceof ParenthesedSelect ? null : super.visit(in, context);
      }

      @Override
      public <S> Void visit(net.sf.jsqlparser.statement.select.Select select, S context) {
        if (select instanceof ParenthesedSelect subquery
            && subquery.getSelect() instanceof PlainSelect inner
            && scalarAggregate(inner, catalog)) {
          found.putIfAbsent(subquery.toString(), "__pgt_sq" + (found.size() + 1));
        }
        return null;
      }
    };
    for (SelectItem<?> item : plain.getSelectItems()) {
      item.getExpression().accept(finder, null);
    }
    if (plain.getWhere() != null) {
      plain.getWhere().accept(finder, null);
    }
    if (found.isEmpty()) {
      return null;
    }
    String rewritten = plain.toString();
    StringBuilder joins = new StringBuilder();
    for (Map.Entry<String, String> subquery : found.entrySet()) {
      rewritten = rewritten.replace(subquery.getKey(), Sql.ident(subquery.getValue()) + ".\"v\"");
      joins.append(" CROSS JOIN ").append(subquery.getKey()).append(" AS ").append(Sql.ident(subquery.getValue())).append("(\"v\")");
    }
    PlainSelect result = (PlainSelect) DeltaCompiler.unwrap(QueryParser.parseSelect(rewritten));
    String from = result.getFromItem().toString();
    int at = rewritten.indexOf(" FROM " + from);
    return rewritten.substring(0, at + 6 + from.length()) + joins + rewritten.substring(at + 6 + from.length());
  }

  /** One row always: aggregates without GROUP BY, and no reference to an outer query's alias. */
  private static boolean scalarAggregate(PlainSelect inner, CatalogLookup catalog) {
    if (inner.getGroupBy() != null || inner.getSelectItems().size() != 1 || inner.getLimit() != null
        || !(inner.getFromItem() instanceof Table)) {
      return false;
    }
    List<String> aliases = new ArrayList<>();
    Table from = (Table) inner.getFromItem();
    aliases.add(Names.fold(from.getAlias() != null ? from.getAlias().getName() : from.getName()));
    if (inner.getJoins() != null) {
      for (var join : inner.getJoins()) {
        if (!(join.getRightItem() instanceof Table t)) {
          return false;
        }
        aliases.add(Names.fold(t.getAlias() != null ? t.getAlias().getName() : t.getName()));
      }
    }
    boolean[] aggregate = {false};
    boolean[] correlated = {false};
    ExpressionVisitorAdapter<Void> visitor = new ExpressionVisitorAdapter<>() {
      @Override
      public <S> Void visit(Function f, S context) {
        if (f.getName() != null && catalog.isAggregate(Names.fold(BlockAnalyzer.lastPart(f.getName())))) {
          aggregate[0] = true;
        }
        return super.visit(f, context);
      }

      @Override
      public <S> Void visit(Column c, S context) {
        if (c.getTable() != null && c.getTable().getName() != null
            && !aliases.contains(Names.fold(c.getTable().getName()))) {
          correlated[0] = true;
        }
        return null;
      }
    };
    Expression select = inner.getSelectItems().get(0).getExpression();
    select.accept(visitor, null);
    if (inner.getWhere() != null) {
      inner.getWhere().accept(visitor, null);
    }
    return aggregate[0] && !correlated[0];
  }
}
