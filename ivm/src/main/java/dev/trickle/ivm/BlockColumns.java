package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import java.util.List;
import java.util.function.Consumer;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.LateralSubSelect;
import net.sf.jsqlparser.statement.select.OrderByElement;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.TableFunction;

/**
 * Every column reference of one query block that may name the block's own FROM items: in its
 * SELECT list, WHERE, GROUP BY, HAVING, ORDER BY, named windows, DISTINCT ON, and the ON
 * conditions and LATERAL items of its joins from a given one on; inside a subquery, the columns
 * that are not the subquery's own ({@link SubqueryScope}). The join rewrites rename them in place
 * when they move FROM items around.
 */
final class BlockColumns {
  private BlockColumns() {}

  /**
   * Feeds each column reference of {@code plain} to {@code into}, reading the joins from index
   * {@code firstJoin} on.
   */
  static void forEach(PlainSelect plain, int firstJoin, CatalogLookup catalog, Consumer<Column> into) {
    ExpressionVisitorAdapter<Void> visitor = visitor(catalog, into);
    for (SelectItem<?> item : plain.getSelectItems()) {
      item.getExpression().accept(visitor, null);
    }
    if (plain.getDistinct() != null && plain.getDistinct().getOnSelectItems() != null) {
      plain.getDistinct().getOnSelectItems().forEach(i -> i.getExpression().accept(visitor, null));
    }
    List<Join> joins = plain.getJoins() == null ? List.of() : plain.getJoins();
    for (int i = firstJoin; i < joins.size(); i++) {
      Join join = joins.get(i);
      join.getOnExpressions().forEach(on -> on.accept(visitor, null));
      if (join.getRightItem() instanceof TableFunction function) {
        function.getFunction().accept(visitor, null);
      } else if (join.getRightItem() instanceof LateralSubSelect lateral) {
        subquery(lateral, catalog, into);
      }
    }
    for (Expression e : new Expression[] {plain.getWhere(), plain.getHaving()}) {
      if (e != null) {
        e.accept(visitor, null);
      }
    }
    if (plain.getGroupBy() != null && plain.getGroupBy().getGroupByExpressionList() != null) {
      for (Object e : plain.getGroupBy().getGroupByExpressionList()) {
        ((Expression) e).accept(visitor, null);
      }
    }
    orderBy(plain.getOrderByElements(), visitor);
    if (plain.getWindowDefinitions() != null) {
      for (var window : plain.getWindowDefinitions()) {
        if (window.getPartitionExpressionList() != null) {
          window.getPartitionExpressionList().forEach(e -> ((Expression) e).accept(visitor, null));
        }
        orderBy(window.getOrderByElements(), visitor);
      }
    }
  }

  private static void orderBy(List<OrderByElement> elements, ExpressionVisitorAdapter<Void> visitor) {
    if (elements != null) {
      elements.forEach(o -> o.getExpression().accept(visitor, null));
    }
  }

  private static void subquery(Select select, CatalogLookup catalog, Consumer<Column> into) {
    SubqueryScope scope = SubqueryScope.of(select, catalog, List.of());
    SubqueryScope.columns(select, c -> {
      if (!scope.isOwn(c)) {
        into.accept(c);
      }
    });
  }

  private static ExpressionVisitorAdapter<Void> visitor(CatalogLookup catalog, Consumer<Column> into) {
    return new ExpressionVisitorAdapter<>() {
      @Override
      public <S> Void visit(Column column, S context) {
        into.accept(column);
        return null;
      }

      @Override
      public <S> Void visit(ParenthesedSelect select, S context) {
        subquery(select, catalog, into);
        return null;
      }

      @Override
      public <S> Void visit(Select select, S context) {
        subquery(select, catalog, into);
        return null;
      }

      @Override
      public <S> Void visit(AnalyticExpression analytic, S context) {
        for (Expression part : new Expression[] {analytic.getExpression(), analytic.getFilterExpression()}) {
          if (part != null) {
            part.accept(this, context);
          }
        }
        if (analytic.getPartitionExpressionList() != null) {
          analytic.getPartitionExpressionList().forEach(e -> e.accept(this, context));
        }
        orderBy(analytic.getOrderByElements(), this);
        orderBy(analytic.getFuncOrderBy(), this);
        return null;
      }
    };
  }
}
