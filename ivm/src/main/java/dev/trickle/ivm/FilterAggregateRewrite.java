package dev.trickle.ivm;

import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.rewriter.parse.QueryParser;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.AnalyticType;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.statement.select.Select;

/**
 * Pass {@code rewrite} for aggregates with {@code FILTER (WHERE p)}: an aggregate that ignores NULL
 * inputs sees exactly the filtered rows when its argument is NULL outside them, so
 *
 * <pre>  agg([DISTINCT] x) FILTER (WHERE p)  ≡  agg([DISTINCT] CASE WHEN p THEN x END)
 *   count(*) FILTER (WHERE p)          ≡  count(CASE WHEN p THEN 1 END)</pre>
 *
 * (a NULL {@code p} filters the row out in both), as aggregates and as window aggregates. The
 * result is an ordinary aggregate with its own rule (COUNT/SUM/AVG invertible, MIN/MAX
 * semi-invertible, others recomputed per affected group). Aggregates that keep NULL inputs
 * ({@code array_agg}, {@code json_agg}, ...), several arguments, or ORDER BY inside keep their
 * FILTER: the rule of non-invertible aggregates recomputes the affected groups with the call as
 * written ({@link AggregatePlan}).
 */
final class FilterAggregateRewrite {
  /** Aggregates of one argument that skip NULL inputs. */
  private static final Set<String> STRICT = Set.of(
      "count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every", "bit_and", "bit_or",
      "bit_xor", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp");

  private FilterAggregateRewrite() {}

  /** The query with every such FILTER rewritten, or null when it has none. */
  static String rewrite(String text) throws QueryException {
    Select select = QueryParser.parseSelect(text);
    Map<String, String> replacements = new LinkedHashMap<>();
    SubqueryScope.analytics(select, a -> {
      String replacement = replacement(a);
      if (replacement != null) {
        replacements.put(a.toString(), replacement);
      }
    });
    if (replacements.isEmpty()) {
      return null;
    }
    String result = select.toString();
    for (String original : replacements.keySet().stream()
        .sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
      result = result.replace(original, replacements.get(original));
    }
    return result;
  }

  private static String replacement(AnalyticExpression a) {
    String name = a.getName() == null ? "" : Names.fold(BlockAnalyzer.lastPart(a.getName())).toLowerCase(Locale.ROOT);
    boolean star = a.isAllColumns()
        || (a.getExpression() != null && "*".equals(a.getExpression().toString().strip()));
    boolean oneArgument = star ? name.equals("count")
        : a.getExpression() != null && !(a.getExpression() instanceof ExpressionList<?> list && list.size() != 1);
    if (a.getFilterExpression() == null || !STRICT.contains(name) || !oneArgument
        || a.getFuncOrderBy() != null || a.getKeep() != null || a.isIgnoreNulls()
        || (a.getType() != AnalyticType.FILTER_ONLY && a.getType() != AnalyticType.OVER)) {
      return null;
    }
    String argument = "CASE WHEN " + a.getFilterExpression() + " THEN "
        + (star ? "1" : a.getExpression().toString()) + " END";
    String call = a.getName() + "(" + (a.isDistinct() ? "DISTINCT " : "") + argument + ")";
    if (a.getType() == AnalyticType.FILTER_ONLY) {
      return call;
    }
    String printed = a.toString();
    int over = printed.toUpperCase(Locale.ROOT).lastIndexOf(" OVER ");
    return over < 0 ? null : call + printed.substring(over);
  }
}
