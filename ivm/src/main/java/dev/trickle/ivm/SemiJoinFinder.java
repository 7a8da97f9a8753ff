package dev.trickle.ivm;

import dev.trickle.rewriter.parse.QueryException;
import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.NotExpression;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;

/**
 * Finds the one {@link SemiJoin} a WHERE clause may contain: a top-level conjunct that is [NOT]
 * EXISTS or [NOT] IN over a subquery reading a single relation.
 */
final class SemiJoinFinder {
  /** What was found: the semi-join (or null) and the conjuncts left to check as usual. */
  record Split(SemiJoin semiJoin, List<Expression> others) {}

  /** The resolver of the subquery's relation. */
  @FunctionalInterface
  interface InputResolver {
    Input resolve(PlainSelect subquery) throws QueryException, UnsupportedQueryException;
  }

  private SemiJoinFinder() {}

  static Split split(Expression where, InputResolver resolver)
      throws QueryException, UnsupportedQueryException {
    List<Expression> conjuncts = new ArrayList<>();
    flatten(where, conjuncts);
    SemiJoin found = null;
    List<Expression> others = new ArrayList<>();
    for (Expression conjunct : conjuncts) {
      SemiJoin candidate = found == null ? semiJoin(conjunct, resolver) : null;
      if (candidate != null) {
        found = candidate;
      } else {
        others.add(conjunct);
      }
    }
    if (found == null) {
      return new Split(null, others);
    }
    String rest = others.isEmpty() ? null : String.join(" AND ", others.stream().map(e -> "(" + e + ")").toList());
    return new Split(new SemiJoin(found.negated(), found.input(), found.condition(), rest), others);
  }

  private static void flatten(Expression e, List<Expression> into) {
    if (e instanceof AndExpression and) {
      flatten(and.getLeftExpression(), into);
      flatten(and.getRightExpression(), into);
    } else if (e instanceof Parenthesis p && p.getExpression() instanceof AndExpression) {
      flatten(p.getExpression(), into);
    } else {
      into.add(e);
    }
  }

  private static SemiJoin semiJoin(Expression conjunct, InputResolver resolver)
      throws QueryException, UnsupportedQueryException {
    boolean negated = false;
    Expression e = conjunct;
    if (e instanceof NotExpression not) {
      negated = true;
      e = not.getExpression();
    }
    if (e instanceof ExistsExpression exists && subquery(exists.getRightExpression()) instanceof PlainSelect sub) {
      if (!simple(sub)) {
        return null;
      }
      Input input = resolver.resolve(sub);
      String condition = sub.getWhere() == null ? "TRUE" : sub.getWhere().toString();
      return new SemiJoin(negated ^ exists.isNot(), input, condition, null);
    }
    if (e instanceof InExpression in && subquery(in.getRightExpression()) instanceof PlainSelect sub) {
      if (!simple(sub) || sub.getSelectItems().size() != 1) {
        return null;
      }
      Input input = resolver.resolve(sub);
      String inner = "(" + sub.getSelectItems().get(0).getExpression() + ")";
      String outer = "(" + in.getLeftExpression() + ")";
      String where = sub.getWhere() == null ? "TRUE" : "(" + sub.getWhere() + ")";
      boolean not = negated ^ in.isNot();
      String match = not
          ? "(" + inner + " = " + outer + " OR " + inner + " IS NULL OR " + outer + " IS NULL)"
          : inner + " = " + outer;
      return new SemiJoin(not, input, where + " AND " + match, null);
    }
    return null;
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
