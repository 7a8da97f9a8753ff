package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.util.deparser.ExpressionDeParser;
import net.sf.jsqlparser.util.deparser.SelectDeParser;

/**
 * Narrows a delta term that reads the change of an uncorrelated scalar aggregate subquery, the
 * CROSS JOIN with {@code (subquery) AS __pgt_sqN(__pgt_v)} that {@link ScalarSubqueryRewrite}
 * makes (its value is called {@code v} below).
 * That input has at most one row before and one after the refresh, so its delta is at most the old
 * value with weight −1 and the new one with weight +1. When {@code v} is read only by WHERE
 * conjuncts (their conjunction p), a row a of the term's other inputs yields the same output row
 * with either value, and its two rows sum to {@code [p(a, new)] − [p(a, old)]}: zero unless the
 * truth of p differs. So the term may keep only the rows a with
 *
 * <pre>
 *   (old exists AND COALESCE(p[v := old], false))
 *     &lt;&gt; (new exists AND COALESCE(p[v := new], false))
 * </pre>
 *
 * where old and new are uncorrelated subqueries of the delta table (evaluated once per statement),
 * and a side without a row counts as false, as its missing term row does. The sum per a is
 * unchanged, so the term's delta is exact whatever reads it (weights summed, or the keys of its
 * rows). Without the filter the term evaluates every current row of the other inputs twice, and
 * nearly all of those rows cancel in the consolidation.
 *
 * <p>Not narrowed: inputs whose {@code v} appears outside WHERE (select list, GROUP BY, HAVING,
 * join conditions, semi-join conditions, partition keys: rows with the old and the new value then
 * differ), correlated scalar subqueries (one row per group, not two in all), and a second scalar
 * delta in the same term: narrowing by two deltas at once drops rows whose sum is not zero.
 */
final class ScalarChangeFilter {
  private static final String OLD = "__pgt_old";
  private static final String NEW = "__pgt_new";

  /** Narrowable scalar inputs in FROM order, each with the condition its delta terms take. */
  private final Map<Input, String> conditions;

  private ScalarChangeFilter(Map<Input, String> conditions) {
    this.conditions = conditions;
  }

  /** The narrowable scalar inputs of {@code block} (none for most blocks). */
  static ScalarChangeFilter of(QueryBlock block) {
    Map<Input, String> conditions = new LinkedHashMap<>();
    for (Input input : block.inputs()) {
      if (isScalarAggregate(input)) {
        String condition = condition(block, input);
        if (condition != null) {
          conditions.put(input, condition);
        }
      }
    }
    return new ScalarChangeFilter(conditions);
  }

  /**
   * The condition for a term that reads {@code deltas} as deltas: the first narrowable scalar input
   * among them (only one, see the class comment), or null.
   */
  private String condition(Collection<Input> deltas) {
    for (Map.Entry<Input, String> entry : conditions.entrySet()) {
      if (deltas.contains(entry.getKey())) {
        return entry.getValue();
      }
    }
    return null;
  }

  /** {@code conditions} plus the narrowing for {@code deltas}, if any. */
  List<String> narrowed(List<String> conditions, Collection<Input> deltas) {
    String condition = condition(deltas);
    if (condition == null) {
      return conditions;
    }
    List<String> all = new ArrayList<>(conditions);
    all.add(condition);
    return all;
  }

  /** A CROSS JOIN with a keyless aggregate of one value column: ScalarSubqueryRewrite's form. */
  private static boolean isScalarAggregate(Input input) {
    return input.derived() != null
        && input.join() == Input.JoinType.CROSS
        && input.alias().startsWith("__pgt_sq")
        && input.derived().columns().equals(List.of(ScalarSubqueryRewrite.VALUE))
        && input.derived().plan() instanceof AggregatePlan aggregate
        && aggregate.atMostOneRow();
  }

  /** The narrowing for {@code input}'s delta, or null when {@code v} is read outside WHERE. */
  private static String condition(QueryBlock block, Input input) {
    Pattern alias = Pattern.compile(
        "(?<![A-Za-z0-9_$])" + Pattern.quote(input.alias()) + "(?![A-Za-z0-9_$])");
    List<String> elsewhere = new ArrayList<>();
    block.outputs().forEach(e -> elsewhere.add(e.toString()));
    block.groupBy().forEach(e -> elsewhere.add(e.toString()));
    if (block.having() != null) {
      elsewhere.add(block.having().toString());
    }
    for (Input other : block.inputs()) {
      if (other.on() != null) {
        elsewhere.add(other.on());
      }
      if (other.isFunction()) {
        elsewhere.add(other.current());
      }
    }
    block.semiJoins().forEach(s -> elsewhere.add(s.condition()));
    if (block.partitioning() != null) {
      elsewhere.addAll(block.partitioning().keys());
      if (block.partitioning().lateral() != null) {
        elsewhere.add(block.partitioning().lateral().correlation());
      }
    }
    if (elsewhere.stream().anyMatch(text -> alias.matcher(text).find())) {
      return null;
    }
    List<Expression> reading = new ArrayList<>();
    for (Expression conjunct : Conjuncts.of(block.where())) {
      if (alias.matcher(conjunct.toString()).find()) {
        reading.add(conjunct);
      }
    }
    if (reading.isEmpty()) {
      return null;
    }
    String table = input.derived().deltaTable();
    String old = side(reading, input.alias(), alias, table, OLD, "<");
    String fresh = side(reading, input.alias(), alias, table, NEW, ">");
    return old == null || fresh == null ? null : "(" + old + " <> " + fresh + ")";
  }

  /**
   * {@code (EXISTS row AND COALESCE(p[v := row's v], false))} for the delta row of the given sign,
   * or null when a conjunct cannot be printed with the substitution.
   */
  private static String side(List<Expression> conjuncts, String alias, Pattern mention,
      String table, String rowAlias, String sign) {
    String row = Sql.identifier(rowAlias);
    String from =
        " FROM " + table + " AS " + row + " WHERE " + row + "." + DeltaNames.WEIGHT + " " + sign
            + " 0";
    String value =
        "(SELECT " + row + "." + Sql.identifier(ScalarSubqueryRewrite.VALUE) + from + ")";
    List<String> substituted = new ArrayList<>();
    for (Expression conjunct : conjuncts) {
      String printed = Substitution.print(conjunct, alias, value);
      if (printed == null || mention.matcher(printed).find()) {
        return null;
      }
      substituted.add("(" + printed + ")");
    }
    return "(EXISTS (SELECT 1" + from + ") AND COALESCE(" + String.join(" AND ", substituted)
        + ", false))";
  }

  /** Prints an expression with every column {@code alias.v} printed as another expression. */
  private static final class Substitution extends ExpressionDeParser {
    private final String alias;
    private final String value;

    private Substitution(String alias, String value) {
      this.alias = alias;
      this.value = value;
      setSelectVisitor(new SelectDeParser(this, getBuilder()));
    }

    /**
     * {@code e} printed with the substitution, or null when the printer does not reproduce {@code
     * e} as the rest of the compiler prints it (then the substituted text could differ elsewhere).
     */
    static String print(Expression e, String alias, String value) {
      try {
        Substitution identity = new Substitution(alias, null);
        e.accept(identity, null);
        if (!identity.getBuilder().toString().equals(e.toString())) {
          return null;
        }
        Substitution substitution = new Substitution(alias, value);
        e.accept(substitution, null);
        return substitution.getBuilder().toString();
      } catch (UnsupportedOperationException | NullPointerException unknownNode) {
        // A node the printer has no rule for: the term stays as it is.
        return null;
      }
    }

    @Override
    public <S> StringBuilder visit(Column column, S context) {
      if (value != null
          && column.getTable() != null
          && column.getTable().getSchemaName() == null
          && alias.equals(Names.fold(column.getTable().getName()))
          && ScalarSubqueryRewrite.VALUE.equals(Names.fold(column.getColumnName()))) {
        return getBuilder().append(value);
      }
      return super.visit(column, context);
    }
  }
}
