package dev.trickle.ivm;

import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.rewriter.parse.QueryParser;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.NotExpression;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;

/**
 * Finds the one {@link SemiJoin} a WHERE clause may contain: a top-level conjunct that is [NOT]
 * EXISTS or [NOT] IN over a subquery reading a single relation.
 *
 * <p>The semi-join's condition moves the IN's outer expression into the subquery's scope, where
 * an unqualified column may name a column of the subquery's relation instead ({@code id NOT IN
 * (SELECT x FROM t)} with {@code t.id}), and where the subquery's relation may carry the same
 * name as an outer input ({@code k NOT IN (SELECT v FROM op)} over {@code op}). So the relation
 * is renamed {@value #ALIAS} and every column of the condition is qualified as PostgreSQL
 * resolves it in the user's query: the subquery's own columns first, then the outer inputs'.
 */
final class SemiJoinFinder {
  /** What was found: the semi-join (or null) and the conjuncts left to check as usual. */
  record Split(SemiJoin semiJoin, List<Expression> others) {}

  /** The resolver of the subquery's relation. */
  @FunctionalInterface
  interface InputResolver {
    Input resolve(PlainSelect subquery) throws QueryException, UnsupportedQueryException;
  }

  /** The alias of the subquery's relation in the semi-join's condition. */
  static final String ALIAS = "__pgt_sj";

  private SemiJoinFinder() {}

  /**
   * @param outer the block's inputs, which the subquery's correlated columns refer to
   */
  static Split split(Expression where, InputResolver resolver, List<Input> outer)
      throws QueryException, UnsupportedQueryException {
    List<Expression> conjuncts = Conjuncts.of(where);
    SemiJoin found = null;
    List<Expression> others = new ArrayList<>();
    for (Expression conjunct : conjuncts) {
      SemiJoin candidate = found == null ? semiJoin(conjunct, resolver, outer) : null;
      if (candidate != null) {
        found = candidate;
      } else {
        others.add(conjunct);
      }
    }
    if (found == null) {
      return new Split(null, others);
    }
    String rest =
        others.isEmpty()
            ? null
            : String.join(" AND ", others.stream().map(e -> "(" + e + ")").toList());
    return new Split(new SemiJoin(found.negated(), found.input(), found.condition(), rest), others);
  }

  private static SemiJoin semiJoin(
      Expression conjunct, InputResolver resolver, List<Input> outerInputs)
      throws QueryException, UnsupportedQueryException {
    boolean negated = false;
    Expression e = unparenthesized(conjunct);
    if (e instanceof NotExpression not) {
      negated = true;
      e = unparenthesized(not.getExpression());
    }
    if (e instanceof ExistsExpression exists && subquery(exists.getRightExpression()) instanceof PlainSelect sub) {
      if (!simple(sub)) {
        return null;
      }
      Input input = resolver.resolve(sub);
      Input renamed = new Input(input.index(), ALIAS, input.relation(), input.join(), input.on());
      PlainSelect copy = copy(sub);
      String condition = copy.getWhere() == null ? "TRUE"
          : qualified(copy.getWhere(), input, sub, outerInputs);
      return new SemiJoin(negated ^ exists.isNot(), renamed, condition, null);
    }
    if (e instanceof InExpression in && subquery(in.getRightExpression()) instanceof PlainSelect sub) {
      if (!simple(sub) || sub.getSelectItems().size() != 1) {
        return null;
      }
      Input input = resolver.resolve(sub);
      Input renamed = new Input(input.index(), ALIAS, input.relation(), input.join(), input.on());
      PlainSelect copy = copy(sub);
      String inner =
          "("
              + qualified(copy.getSelectItems().get(0).getExpression(), input, sub, outerInputs)
              + ")";
      String outer = "(" + qualified(parse(in.getLeftExpression()), null, null, outerInputs) + ")";
      String where =
          copy.getWhere() == null
              ? "TRUE"
              : "(" + qualified(copy.getWhere(), input, sub, outerInputs) + ")";
      boolean not = negated ^ in.isNot();
      String match = not
          ? "(" + inner + " = " + outer + " OR " + inner + " IS NULL OR " + outer + " IS NULL)"
          : inner + " = " + outer;
      return new SemiJoin(not, renamed, where + " AND " + match, null);
    }
    return null;
  }

  private static Expression unparenthesized(Expression e) {
    Expression x = e;
    while (x instanceof Parenthesis
        || x
                instanceof
                net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList<?> list
            && list.size() == 1) {
      x =
          x instanceof Parenthesis p
              ? p.getExpression()
              : ((net.sf.jsqlparser.expression.operators.relational.ParenthesedExpressionList<?>) x)
                  .get(0);
    }
    return x;
  }

  private static PlainSelect copy(PlainSelect sub) throws QueryException {
    return (PlainSelect) DeltaCompiler.unwrap(QueryParser.parseSelect(sub.toString()));
  }

  private static Expression parse(Expression e) throws QueryException {
    try {
      return CCJSqlParserUtil.parseExpression(e.toString());
    } catch (JSQLParserException ex) {
      throw new QueryException("42601", "the defining query does not parse: " + e, ex);
    }
  }

  /**
   * {@code e} (a fresh copy, edited in place) with every column qualified: columns of the
   * subquery's relation ({@code inner}, written as {@code sub} names it) by {@value #ALIAS}, the
   * others by the one outer input that has them. Null {@code inner}: {@code e} is in the outer
   * scope.
   */
  private static String qualified(Expression e, Input inner, PlainSelect sub, List<Input> outer) {
    String innerName = inner == null ? null : innerName(sub);
    e.accept(
        new ExpressionVisitorAdapter<Void>() {
          @Override
          public <S> Void visit(Column column, S context) {
            String name = Names.fold(column.getColumnName());
            Table table = column.getTable();
            String qualifier =
                table == null || table.getName() == null ? null : Names.fold(table.getName());
            if (qualifier != null) {
              if (inner != null && qualifier.equals(innerName) && table.getSchemaName() == null) {
                column.setTable(new Table(Sql.identifier(ALIAS)));
              }
              return null;
            }
            if (inner != null && inner.relation().column(name) != null) {
              column.setTable(new Table(Sql.identifier(ALIAS)));
              return null;
            }
            List<Input> owners =
                outer.stream().filter(i -> i.relation().column(name) != null).toList();
            if (owners.size() == 1) {
              column.setTable(new Table(Sql.identifier(owners.get(0).alias())));
            }
            return null;
          }
        },
        null);
    return e.toString();
  }

  /** The name the subquery gives its relation: its alias, else the table's name. */
  private static String innerName(PlainSelect sub) {
    Table table = (Table) sub.getFromItem();
    return Names.fold(table.getAlias() != null ? table.getAlias().getName() : table.getName());
  }

  private static Select subquery(Expression e) {
    Select s = e instanceof ParenthesedSelect p ? p.getSelect() : e instanceof Select select ? select : null;
    while (s instanceof ParenthesedSelect p) {
      s = p.getSelect();
    }
    return s;
  }

  private static boolean simple(PlainSelect sub) {
    return (sub.getJoins() == null || sub.getJoins().isEmpty())
        && sub.getGroupBy() == null
        && sub.getHaving() == null
        && sub.getDistinct() == null
        && sub.getLimit() == null
        && sub.getWithItemsList() == null
        && sub.getFromItem() instanceof net.sf.jsqlparser.schema.Table;
  }
}
