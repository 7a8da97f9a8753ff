package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.Relation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;

/**
 * Which columns of a subquery (at any depth) are its own and which belong to the query block
 * around it: a qualifier naming one of the subquery's FROM items (or a table of one of its nested
 * subqueries), or an unqualified column one of its relations has, is its own, as PostgreSQL
 * resolves names from the innermost scope out; a column only the outer block's inputs have is
 * outer. The rewrites of subqueries into derived inputs use it to find correlations.
 */
final class SubqueryScope {
  private final Set<String> aliases = new HashSet<>();
  private final List<Relation> relations = new ArrayList<>();
  private final List<Input> outer;

  private SubqueryScope(List<Input> outer) {
    this.outer = outer;
  }

  /**
   * The scope of {@code subquery} (every FROM item at every depth), resolved against {@code
   * catalog}; {@code outer} are the inputs of the enclosing block.
   */
  static SubqueryScope of(Select subquery, CatalogLookup catalog, List<Input> outer) {
    SubqueryScope scope = new SubqueryScope(outer);
    walk(subquery, new Visitor() {
      @Override
      void fromItem(FromItem item) {
        if (item instanceof Table table) {
          scope.aliases.add(Names.fold(table.getAlias() != null ? table.getAlias().getName() : table.getName()));
          catalog.resolve(Names.fold(table.getSchemaName()), Names.fold(table.getName()))
              .ifPresent(scope.relations::add);
        } else if (item != null && item.getAlias() != null) {
          scope.aliases.add(Names.fold(item.getAlias().getName()));
        }
      }
    });
    return scope;
  }

  /** True when {@code column} belongs to the enclosing block rather than to the subquery. */
  boolean isOuter(Column column) {
    String name = Names.fold(column.getColumnName());
    Table table = column.getTable();
    if (table != null && table.getName() != null) {
      String qualifier = Names.fold(table.getName());
      return !aliases.contains(qualifier) && outer.stream().anyMatch(i -> i.alias().equals(qualifier));
    }
    return relations.stream().noneMatch(r -> r.column(name) != null)
        && outer.stream().anyMatch(i -> i.relation().column(name) != null);
  }

  /**
   * True when {@code column} is the subquery's own: its qualifier names one of the subquery's FROM
   * items, or, unqualified, one of its relations has it. Anything else is read from outside.
   */
  boolean isOwn(Column column) {
    Table table = column.getTable();
    if (table != null && table.getName() != null) {
      return aliases.contains(Names.fold(table.getName()));
    }
    String name = Names.fold(column.getColumnName());
    return relations.stream().anyMatch(r -> r.column(name) != null);
  }

  /** True when {@code e} (subqueries inside it included) reads a column of the enclosing block. */
  boolean readsOuter(Expression e) {
    boolean[] found = {false};
    columns(e, c -> found[0] |= isOuter(c));
    return found[0];
  }

  /** True when {@code select} anywhere reads a column of the enclosing block. */
  boolean readsOuter(Select select) {
    boolean[] found = {false};
    walk(select, new Visitor() {
      @Override
      void column(Column c) {
        found[0] |= isOuter(c);
      }
    });
    return found[0];
  }

  /** True when {@code select} reads a table, view or CTE at some depth (not only constants). */
  static boolean readsRelation(Select select) {
    boolean[] found = {false};
    walk(select, new Visitor() {
      @Override
      void fromItem(FromItem item) {
        found[0] |= item instanceof Table;
      }
    });
    return found[0];
  }

  /** True when {@code e} holds a subquery that reads a relation. */
  static boolean hasRelationSubquery(Expression e) {
    boolean[] found = {false};
    e.accept(new ExpressionVisitorAdapter<Void>() {
      @Override
      public <S> Void visit(ParenthesedSelect select, S context) {
        found[0] |= readsRelation(select);
        return null;
      }

      @Override
      public <S> Void visit(Select select, S context) {
        found[0] |= readsRelation(select);
        return null;
      }
    }, null);
    return found[0];
  }

  /** Every column {@code select} reads, at any depth. */
  static void columns(Select select, Consumer<Column> into) {
    walk(select, new Visitor() {
      @Override
      void column(Column c) {
        into.accept(c);
      }
    });
  }

  /** Every column {@code e} reads, at any depth. */
  static void columns(Expression e, Consumer<Column> into) {
    e.accept(expressionVisitor(new Visitor() {
      @Override
      void column(Column c) {
        into.accept(c);
      }
    }), null);
  }

  /** Every aggregate or window call with FILTER/OVER in {@code select}, at any depth. */
  static void analytics(Select select, Consumer<AnalyticExpression> into) {
    walk(select, new Visitor() {
      @Override
      void analytic(AnalyticExpression a) {
        into.accept(a);
      }
    });
  }

  /** Callbacks of the walk over a query's FROM items and columns. */
  private abstract static class Visitor {
    void fromItem(FromItem item) {}

    void column(Column column) {}

    void analytic(AnalyticExpression analytic) {}
  }

  private static ExpressionVisitorAdapter<Void> expressionVisitor(Visitor visitor) {
    return new ExpressionVisitorAdapter<>() {
      @Override
      public <S> Void visit(Column column, S context) {
        visitor.column(column);
        return null;
      }

      @Override
      public <S> Void visit(ParenthesedSelect select, S context) {
        walk(select, visitor);
        return null;
      }

      @Override
      public <S> Void visit(AnalyticExpression analytic, S context) {
        visitor.analytic(analytic);
        for (Expression part : new Expression[] {analytic.getExpression(), analytic.getFilterExpression()}) {
          if (part != null) {
            part.accept(this, context);
          }
        }
        if (analytic.getPartitionExpressionList() != null) {
          analytic.getPartitionExpressionList().forEach(e -> e.accept(this, context));
        }
        if (analytic.getOrderByElements() != null) {
          analytic.getOrderByElements().forEach(o -> o.getExpression().accept(this, context));
        }
        return null;
      }

      @Override
      public <S> Void visit(Select select, S context) {
        walk(select, visitor);
        return null;
      }
    };
  }

  private static void walk(Select select, Visitor visitor) {
    if (select.getWithItemsList() != null) {
      select.getWithItemsList().forEach(w -> walk(w.getSelect(), visitor));
    }
    Select s = select;
    while (s instanceof ParenthesedSelect p) {
      s = p.getSelect();
    }
    if (s instanceof SetOperationList list) {
      list.getSelects().forEach(branch -> walk(branch, visitor));
      return;
    }
    if (!(s instanceof PlainSelect plain)) {
      return;
    }
    ExpressionVisitorAdapter<Void> expressions = expressionVisitor(visitor);
    from(plain.getFromItem(), visitor, expressions);
    if (plain.getJoins() != null) {
      for (Join join : plain.getJoins()) {
        from(join.getRightItem(), visitor, expressions);
        join.getOnExpressions().forEach(on -> on.accept(expressions, null));
      }
    }
    for (SelectItem<?> item : plain.getSelectItems()) {
      item.getExpression().accept(expressions, null);
    }
    for (Expression e : new Expression[] {plain.getWhere(), plain.getHaving()}) {
      if (e != null) {
        e.accept(expressions, null);
      }
    }
    if (plain.getGroupBy() != null && plain.getGroupBy().getGroupByExpressionList() != null) {
      for (Object e : plain.getGroupBy().getGroupByExpressionList()) {
        ((Expression) e).accept(expressions, null);
      }
    }
  }

  private static void from(FromItem item, Visitor visitor, ExpressionVisitorAdapter<Void> expressions) {
    visitor.fromItem(item);
    if (item instanceof ParenthesedSelect select) {
      walk(select, visitor);
    } else if (item instanceof ParenthesedFromItem parenthesed) {
      from(parenthesed.getFromItem(), visitor, expressions);
      if (parenthesed.getJoins() != null) {
        for (Join join : parenthesed.getJoins()) {
          from(join.getRightItem(), visitor, expressions);
          join.getOnExpressions().forEach(on -> on.accept(expressions, null));
        }
      }
    }
  }
}
