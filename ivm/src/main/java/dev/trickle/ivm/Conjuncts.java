package dev.trickle.ivm;

import java.util.ArrayList;
import java.util.List;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;

/**
 * Splits a condition into the terms joined by its top-level {@code AND}s (parenthesized
 * {@code AND}s included), so that each can be judged on its own: a filter, a correlation, a
 * subquery.
 */
final class Conjuncts {
  private Conjuncts() {}

  /** The conjuncts of {@code condition} from left to right; none when it is {@code null}. */
  static List<Expression> of(Expression condition) {
    List<Expression> into = new ArrayList<>();
    flatten(condition, into);
    return into;
  }

  private static void flatten(Expression e, List<Expression> into) {
    if (e == null) {
      return;
    }
    if (e instanceof AndExpression and) {
      flatten(and.getLeftExpression(), into);
      flatten(and.getRightExpression(), into);
    } else if (e instanceof Parenthesis p && p.getExpression() instanceof AndExpression) {
      flatten(p.getExpression(), into);
    } else {
      into.add(e);
    }
  }
}
