package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.rewriter.parse.QueryParser;
import dev.trickle.rewriter.parse.Relation;
import dev.trickle.rewriter.parse.RelationColumn;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Parenthesis;
import net.sf.jsqlparser.expression.operators.relational.ComparisonOperator;
import net.sf.jsqlparser.expression.operators.relational.ExistsExpression;
import net.sf.jsqlparser.expression.operators.relational.InExpression;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Pass {@code rewrite} for scalar subqueries that aggregate without GROUP BY, in the SELECT list or
 * WHERE ({@link CorrelatedSubquery} classifies them):
 *
 * <ul>
 *   <li>uncorrelated: they return exactly one row, so each becomes a CROSS JOIN with a derived
 *       input {@code (subquery) AS __pgt_sqN(__pgt_v)} and the expression reads {@code
 *       __pgt_sqN.__pgt_v} (a reserved name: a column {@code v} of the outer tables, written
 *       without its table, stays unambiguous);
 *   <li>correlated by equalities: each becomes a join with the subquery grouped by its
 *       correlation columns, {@code JOIN (grouped) AS __pgt_sqN ON __pgt_sqN.__pgt_k1 = outer},
 *       an inner join when the subquery is an operand of a comparison that is a conjunct of WHERE
 *       and its value is NULL for an empty group, else a LEFT JOIN (count of an empty group 0).
 * </ul>
 *
 * The derived inputs are maintained aggregates, so a change to their tables updates the outer
 * rows through the join rules. Correlated subqueries that cannot be decorrelated, and ones whose
 * outer block has outer joins or groups its SELECT list, are refused with their position.
 */
final class ScalarSubqueryRewrite {
  /** The column of an uncorrelated subquery's derived input. */
  static final String VALUE = "__pgt_v";

  private ScalarSubqueryRewrite() {}

  /** The rewritten text, or null when the block has no such subquery. */
  static String rewrite(String text, CatalogLookup catalog, BlockAnalyzer probe)
      throws QueryException, UnsupportedQueryException {
    PlainSelect plain = (PlainSelect) DeltaCompiler.unwrap(QueryParser.parseSelect(text));
    Map<String, CorrelatedSubquery> found = new LinkedHashMap<>();
    Map<String, Relation> ctes = cteColumns(plain);
    Set<String> inSelectList = new HashSet<>();
    ExpressionVisitorAdapter<Void> finder =
        new ExpressionVisitorAdapter<>() {
          @Override
          public <S> Void visit(ExistsExpression exists, S context) {
            return null;
          }

          @Override
          public <S> Void visit(InExpression in, S context) {
            return in.getRightExpression() instanceof ParenthesedSelect
                ? null
                : super.visit(in, context);
          }

          @Override
          public <S> Void visit(net.sf.jsqlparser.statement.select.Select select, S context) {
            if (select instanceof ParenthesedSelect subquery
                && subquery.getSelect() instanceof PlainSelect inner
                && !found.containsKey(subquery.toString())) {
              CorrelatedSubquery classified = CorrelatedSubquery.of(inner, catalog, ctes);
              if (classified != null) {
                found.put(subquery.toString(), classified);
              }
            }
            return null;
          }
        };
    for (SelectItem<?> item : plain.getSelectItems()) {
      int before = found.size();
      item.getExpression().accept(finder, null);
      new ArrayList<>(found.keySet()).subList(before, found.size()).forEach(inSelectList::add);
    }
    if (plain.getWhere() != null) {
      plain.getWhere().accept(finder, null);
    }
    if (found.isEmpty()) {
      return null;
    }
    Set<String> rejectingNull = comparedInWhere(plain.getWhere());
    boolean outerJoins = plain.getJoins() != null && plain.getJoins().stream()
        .anyMatch(j -> j.isLeft() || j.isRight() || j.isFull() || j.isOuter() || j.isNatural());
    boolean grouping = plain.getGroupBy() != null || plain.getDistinct() != null;
    var withItems = plain.getWithItemsList();
    plain.setWithItemsList(null);
    String rewritten = plain.toString();
    List<String> crossJoins = new ArrayList<>();
    List<String> innerJoins = new ArrayList<>();
    List<String> leftJoins = new ArrayList<>();
    int n = 0;
    for (Map.Entry<String, CorrelatedSubquery> entry : found.entrySet()) {
      String subquery = entry.getKey();
      CorrelatedSubquery s = entry.getValue();
      String alias = "__pgt_sq" + (++n);
      switch (s.kind()) {
        case UNCORRELATED -> {
          rewritten = rewritten.replace(subquery, Sql.identifier(alias) + "." + Sql.identifier(VALUE));
          crossJoins.add(" CROSS JOIN " + subquery + " AS " + Sql.identifier(alias) + "("
              + Sql.identifier(VALUE) + ")");
        }
        case EQUALITY_CORRELATED -> {
          if (outerJoins
              || (grouping || hasAggregates(plain, catalog)) && inSelectList.contains(subquery)) {
            throw probe.unsupported(
                "correlated scalar subquery "
                    + ConstructFinder.abbreviated(subquery)
                    + (outerJoins
                        ? " in a query block with outer joins"
                        : " in the SELECT list of a grouping query block"),
                subquery);
          }
          rewritten = rewritten.replace(subquery, s.value(alias));
          String join =
              " JOIN ("
                  + s.groupedSql()
                  + ") AS "
                  + Sql.identifier(alias)
                  + " ON "
                  + s.joinCondition(alias);
          if (!inSelectList.contains(subquery)
              && rejectingNull.contains(subquery)
              && s.nullWhenEmpty()) {
            innerJoins.add(join);
          } else if (leftJoins.isEmpty()) {
            leftJoins.add(" LEFT" + join);
          } else {
            throw probe.unsupported(
                "more than one correlated scalar subquery that needs an outer join"
                    + " (in the SELECT list, or not compared in WHERE)",
                subquery);
          }
        }
        default ->
            throw probe.unsupported(
                "correlated scalar subquery "
                    + ConstructFinder.abbreviated(subquery)
                    + " with "
                    + s.reason(),
                subquery);
      }
    }
    PlainSelect result = (PlainSelect) DeltaCompiler.unwrap(QueryParser.parseSelect(rewritten));
    List<Join> joins = new ArrayList<>(result.getJoins() == null ? List.of() : result.getJoins());
    if (innerJoins.isEmpty() && leftJoins.isEmpty()) {
      joins.addAll(0, joinsOf(crossJoins));
    } else {
      for (Join join : joins) {
        if (join.isSimple()) {
          join.setSimple(false);
          join.setCross(true);
        }
      }
      joins.addAll(joinsOf(crossJoins));
      joins.addAll(joinsOf(innerJoins));
      joins.addAll(joinsOf(leftJoins));
    }
    result.setJoins(joins);
    result.setWithItemsList(withItems);
    return result.toString();
  }

  /**
   * The block's CTEs whose output names are known (a column list, or select items without
   * {@code *}), as relations with those columns, so a subquery over one can be classified.
   */
  private static Map<String, Relation> cteColumns(PlainSelect plain) {
    Map<String, Relation> ctes = new HashMap<>();
    if (plain.getWithItemsList() == null) {
      return ctes;
    }
    for (var cte : plain.getWithItemsList()) {
      List<String> names = new ArrayList<>();
      if (cte.getWithItemList() != null && !cte.getWithItemList().isEmpty()) {
        cte.getWithItemList().forEach(c -> names.add(Names.fold(c.getExpression().toString())));
      } else if (DeltaCompiler.unwrap(cte.getSelect()) instanceof PlainSelect body
          && body.getSelectItems().stream().noneMatch(i -> i.getExpression() instanceof AllColumns
              || i.getExpression() instanceof AllTableColumns)) {
        body.getSelectItems().forEach(i -> names.add(BlockAnalyzer.nameOf(i)));
      } else {
        continue;
      }
      String name = Names.fold(cte.getAliasName());
      ctes.put(
          name,
          new Relation(
              0,
              null,
              name,
              Relation.Kind.OTHER,
              names.stream().map(n -> new RelationColumn(n, "unknown", false)).toList(),
              List.of(),
              null));
    }
    return ctes;
  }

  /** The subqueries that are a direct operand of a comparison that is a conjunct of WHERE. */
  private static Set<String> comparedInWhere(Expression where) {
    Set<String> compared = new HashSet<>();
    List<Expression> conjuncts = Conjuncts.of(where);
    for (Expression written : conjuncts) {
      Expression conjunct = written;
      while (conjunct instanceof Parenthesis p) {
        conjunct = p.getExpression();
      }
      if (conjunct instanceof ComparisonOperator comparison) {
        for (Expression side :
            List.of(comparison.getLeftExpression(), comparison.getRightExpression())) {
          Expression e = side;
          while (e instanceof Parenthesis p) {
            e = p.getExpression();
          }
          if (e instanceof ParenthesedSelect s) {
            compared.add(s.toString());
          }
        }
      }
    }
    return compared;
  }

  private static boolean hasAggregates(PlainSelect plain, CatalogLookup catalog) {
    ConstructFinder finder = new ConstructFinder(catalog, a -> { });
    for (SelectItem<?> item : plain.getSelectItems()) {
      item.getExpression().accept(finder, null);
    }
    return finder.aggregates() > 0;
  }

  /** The joins written as text, parsed (each is {@code [LEFT|CROSS] JOIN item [ON cond]}). */
  private static List<Join> joinsOf(List<String> texts) throws QueryException {
    if (texts.isEmpty()) {
      return List.of();
    }
    PlainSelect holder = (PlainSelect) DeltaCompiler.unwrap(
        QueryParser.parseSelect("SELECT 1 FROM \"__pgt_holder\"" + String.join("", texts)));
    return holder.getJoins();
  }
}
