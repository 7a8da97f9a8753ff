package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.AnalyticType;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.TimeKeyExpression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.ParenthesedFromItem;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.Values;

/**
 * Looks through one expression of a block for constructs without a rule (volatile and
 * time-dependent functions, subqueries reading relations, aggregates with WITHIN GROUP, windows where
 * none are allowed) and counts its aggregates. The first problem wins; its text is the construct as
 * printed, which {@link Positions} finds in the user's query.
 *
 * <p>A subquery that reads no relation ({@code x IN (SELECT 1)}, {@code (SELECT t.a + 1)}, a VALUES
 * list) is a function of the row it is evaluated for, so it is linear like any other expression and
 * needs no rule of its own.
 */
final class ConstructFinder extends ExpressionVisitorAdapter<Void> {
  private final CatalogLookup catalog;
  private final Consumer<AnalyticExpression> windows;
  private int aggregates;
  private String problem;
  private String problemText;

  /**
   * @param windows receives the window functions met, or null when windows are not allowed here
   */
  ConstructFinder(CatalogLookup catalog, Consumer<AnalyticExpression> windows) {
    this.catalog = catalog;
    this.windows = windows;
  }

  /** The first construct without a rule, or null. */
  String problem() {
    return problem;
  }

  /** The printed text of {@link #problem()}. */
  String problemText() {
    return problemText;
  }

  /** How many aggregate calls the expression contains (outside subqueries). */
  int aggregates() {
    return aggregates;
  }

  private void flag(String what, String text) {
    if (problem == null) {
      problem = what;
      problemText = text;
    }
  }

  /** {@code t.*} inside an expression reads {@code t} as a whole row ({@link WholeRowReferences}). */
  @Override
  public <S> Void visit(AllTableColumns columns, S context) {
    flag("whole-row reference " + columns, columns.toString());
    return null;
  }

  @Override
  public <S> Void visit(Function function, S context) {
    String name =
        function.getName() == null ? "" : Names.fold(BlockAnalyzer.lastPart(function.getName()));
    if (catalog.isVolatile(name)) {
      flag("volatile function " + name + "()", function.toString());
      return null;
    }
    String time = TimeDependence.of(function);
    if (time != null) {
      flag("time-dependent function " + time + "()", function.toString());
      return null;
    }
    if (catalog.isAggregate(name)) {
      aggregates++;
      flagClockInArguments(function);
      return null;
    }
    return super.visit(function, context);
  }

  /**
   * An aggregate's arguments are not checked as a whole, but a volatile or time-dependent call is.
   */
  private void flagClockInArguments(Function aggregate) {
    if (aggregate.getParameters() != null) {
      flagClockIn(aggregate.getParameters());
    }
  }

  private void flagClockIn(Expression e) {
    ConstructFinder arguments = new ConstructFinder(catalog, null);
    e.accept(arguments, null);
    if (arguments.problem != null
        && (arguments.problem.startsWith("volatile")
            || arguments.problem.startsWith("time-dependent"))) {
      flag(arguments.problem, arguments.problemText);
    }
  }

  @Override
  public <S> Void visit(TimeKeyExpression keyword, S context) {
    String time = TimeDependence.of(keyword);
    if (time != null) {
      flag("time-dependent function " + time, keyword.toString());
    }
    return null;
  }

  @Override
  public <S> Void visit(Column column, S context) {
    String time = TimeDependence.of(column);
    if (time != null) {
      flag("time-dependent function " + time, column.toString());
    }
    return null;
  }

  @Override
  public <S> Void visit(AnalyticExpression analytic, S context) {
    boolean window = analytic.getType() == AnalyticType.OVER
        || analytic.getType() == AnalyticType.WITHIN_GROUP_OVER;
    if (window && windows != null) {
      windows.accept(analytic);
      return null;
    }
    if (analytic.getType() == AnalyticType.FILTER_ONLY && analytic.getName() != null
        && catalog.isAggregate(Names.fold(BlockAnalyzer.lastPart(analytic.getName())))) {
      aggregates++;
      for (Expression part : new Expression[] {analytic.getExpression(), analytic.getFilterExpression()}) {
        if (part != null) {
          flagClockIn(part);
        }
      }
      return null;
    }
    flag(
        window
            ? "window function " + analytic.getName() + "() OVER"
            : "aggregate with WITHIN GROUP " + analytic.getName() + "()",
        analytic.toString());
    return null;
  }

  @Override
  public <S> Void visit(ParenthesedSelect subquery, S context) {
    if (!readsNoRelation(subquery.getSelect())) {
      flag("subquery " + abbreviated(subquery), subquery.toString());
    }
    return null;
  }

  @Override
  public <S> Void visit(Select select, S context) {
    if (!readsNoRelation(select)) {
      flag("subquery " + abbreviated(select), select.toString());
    }
    return null;
  }

  /** True for a FROM-less or VALUES-only SELECT whose expressions need no rule themselves. */
  private boolean readsNoRelation(Select select) {
    Select s = select;
    while (s instanceof ParenthesedSelect p) {
      s = p.getSelect();
    }
    if (s instanceof Values) {
      return inner(List.of((Expression) ((Values) s).getExpressions()));
    }
    if (!(s instanceof PlainSelect plain)
        || (plain.getJoins() != null && !plain.getJoins().isEmpty())
        || plain.getGroupBy() != null
        || plain.getHaving() != null
        || plain.getWithItemsList() != null
        || !(plain.getFromItem() == null
            || plain.getFromItem() instanceof ParenthesedFromItem p
                && p.getFromItem() instanceof Values)) {
      return false;
    }
    List<Expression> expressions = new ArrayList<>();
    for (SelectItem<?> item : plain.getSelectItems()) {
      expressions.add(item.getExpression());
    }
    if (plain.getWhere() != null) {
      expressions.add(plain.getWhere());
    }
    return inner(expressions);
  }

  /** True when the expressions have no construct without a rule and no aggregate. */
  private boolean inner(List<Expression> expressions) {
    ConstructFinder nested = new ConstructFinder(catalog, null);
    for (Expression e : expressions) {
      e.accept(nested, null);
    }
    return nested.problem == null && nested.aggregates == 0;
  }

  /** The subquery's text for a message, cut after 60 characters. */
  static String abbreviated(Object subquery) {
    String text = subquery.toString();
    return text.length() <= 60 ? text : text.substring(0, 57) + "...";
  }
}
