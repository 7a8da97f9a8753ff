package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.Relation;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;

/**
 * A scalar subquery that aggregates without GROUP BY, read as the rewrite needs it: which of its
 * columns are its own and which belong to the outer query (resolved as PostgreSQL resolves them: a
 * qualifier naming one of the subquery's FROM items, or an unqualified column one of its relations
 * has, is the subquery's own), and, when it is correlated, whether the correlation is a conjunction
 * of equalities {@code inner = outer} that lets it be decorrelated:
 *
 * <pre>  (SELECT f(agg₁(..), ..) FROM T WHERE p AND t.c = o.e)
 *   ≡ f(g.a₁, ..) over  ... JOIN (SELECT t.c AS k₁, agg₁(..) AS a₁, .. FROM T WHERE p
 *                                  GROUP BY t.c) AS g ON g.k₁ = o.e
 * </pre>
 *
 * where an outer row without a group sees the aggregates of an empty input: {@code count} is 0 (the
 * join is a LEFT JOIN and the count reads {@code COALESCE(g.a, 0)}), every other aggregate NULL. A
 * WHERE comparison with such a NULL is never true, so there an inner join is equivalent when the
 * subquery has no count and its value is NULL whenever an aggregate is.
 */
final class CorrelatedSubquery {
  /** The classes of scalar aggregate subqueries. */
  enum Kind {
    /** Reads no column of the outer query: one row, a CROSS JOIN. */
    UNCORRELATED,
    /** Correlated by equalities only: decorrelated into a grouped derived input. */
    EQUALITY_CORRELATED,
    /** Correlated in another way (see {@link #reason()}): refused. */
    OTHER
  }

  private final PlainSelect inner;
  private final CatalogLookup catalog;
  private final java.util.Map<String, Relation> commonTableExpressions;
  private final List<String> aliases = new ArrayList<>();
  private final List<Relation> relations = new ArrayList<>();
  private final List<Expression> filters = new ArrayList<>();
  private final List<Expression[]> correlations = new ArrayList<>();
  private final List<Function> aggregates = new ArrayList<>();
  private Kind kind;
  private String reason;

  private CorrelatedSubquery(
      PlainSelect inner, CatalogLookup catalog, java.util.Map<String, Relation> ctes) {
    this.inner = inner;
    this.catalog = catalog;
    this.commonTableExpressions = ctes;
  }

  /**
   * The subquery classified, or null when it is not a scalar aggregate subquery over tables (one
   * output, at least one aggregate, no GROUP BY, LIMIT, DISTINCT or WITH).
   *
   * @param ctes the CTEs of the enclosing block as relations with their column names only
   */
  static CorrelatedSubquery of(
      PlainSelect inner, CatalogLookup catalog, java.util.Map<String, Relation> ctes) {
    if (inner.getGroupBy() != null
        || inner.getHaving() != null
        || inner.getSelectItems().size() != 1
        || inner.getLimit() != null
        || inner.getOffset() != null
        || inner.getFetch() != null
        || inner.getDistinct() != null
        || inner.getWithItemsList() != null
        || !(inner.getFromItem() instanceof Table)) {
      return null;
    }
    CorrelatedSubquery s = new CorrelatedSubquery(inner, catalog, ctes);
    return s.classify() ? s : null;
  }

  Kind kind() {
    return kind;
  }

  /** Why an {@link Kind#OTHER} subquery cannot be decorrelated. */
  String reason() {
    return reason;
  }

  /** True when the value reads a count, which an outer row without a group sees as 0. */
  boolean counts() {
    return aggregates.stream().anyMatch(CorrelatedSubquery::isCount);
  }

  /**
   * True when the value is NULL whenever its aggregates are (arithmetic, casts and constants over
   * them), so a comparison with it rejects outer rows without a group.
   */
  boolean nullWhenEmpty() {
    if (counts()) {
      return false;
    }
    boolean[] strict = {true};
    inner.getSelectItems().get(0).getExpression().accept(new ExpressionVisitorAdapter<Void>() {
      @Override
      public <S> Void visit(Function f, S context) {
        if (!isAggregate(f)) {
          strict[0] = false;
        }
        return null;
      }

      @Override
      public <S> Void visit(net.sf.jsqlparser.expression.CaseExpression e, S context) {
        strict[0] = false;
        return null;
      }
    }, null);
    return strict[0];
  }

  /**
   * The grouped derived input: {@code SELECT k₁ AS "__pgt_k1", .., agg₁ AS "__pgt_a1", .. FROM
   * (as written) WHERE (own filters) GROUP BY k₁, ..}.
   */
  String groupedSql() {
    List<String> select = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < correlations.size(); i++) {
      keys.add(correlations.get(i)[0].toString());
      select.add(correlations.get(i)[0] + " AS " + Sql.identifier("__pgt_k" + (i + 1)));
    }
    for (int i = 0; i < aggregates.size(); i++) {
      select.add(aggregates.get(i) + " AS " + Sql.identifier("__pgt_a" + (i + 1)));
    }
    StringBuilder sql = new StringBuilder("SELECT ").append(String.join(", ", select));
    sql.append(" FROM ").append(inner.getFromItem());
    if (inner.getJoins() != null) {
      for (Join join : inner.getJoins()) {
        sql.append(join.isSimple() ? ", " : " ").append(join);
      }
    }
    if (!filters.isEmpty()) {
      sql.append(" WHERE ")
          .append(String.join(" AND ", filters.stream().map(f -> "(" + f + ")").toList()));
    }
    return sql.append(" GROUP BY ").append(String.join(", ", keys)).toString();
  }

  /** The join condition of the grouped input named {@code alias} with the outer query. */
  String joinCondition(String alias) {
    List<String> on = new ArrayList<>();
    for (int i = 0; i < correlations.size(); i++) {
      on.add(
          Sql.identifier(alias)
              + "."
              + Sql.identifier("__pgt_k" + (i + 1))
              + " = ("
              + correlations.get(i)[1]
              + ")");
    }
    return String.join(" AND ", on);
  }

  /** The subquery's value over the grouped input {@code alias}: each aggregate read from it. */
  String value(String alias) {
    String text = inner.getSelectItems().get(0).getExpression().toString();
    for (int i = 0; i < aggregates.size(); i++) {
      String column = Sql.identifier(alias) + "." + Sql.identifier("__pgt_a" + (i + 1));
      text = text.replace(aggregates.get(i).toString(),
          isCount(aggregates.get(i)) ? "COALESCE(" + column + ", 0)" : column);
    }
    return "(" + text + ")";
  }

  private boolean classify() {
    if (!addRelation((Table) inner.getFromItem())) {
      return other("a FROM item that is not a table or view");
    }
    if (inner.getJoins() != null) {
      for (Join join : inner.getJoins()) {
        if (!(join.getRightItem() instanceof Table t)
            || join.isOuter()
            || join.isLeft()
            || join.isRight()
            || join.isFull()
            || join.isNatural()
            || (join.getUsingColumns() != null && !join.getUsingColumns().isEmpty())
            || !addRelation(t)) {
          return other("a FROM clause that is not an inner join of tables");
        }
      }
      for (Join join : inner.getJoins()) {
        for (Expression on : join.getOnExpressions()) {
          if (references(on, false)) {
            return other("a join condition reading the outer query");
          }
        }
      }
    }
    Expression value = inner.getSelectItems().get(0).getExpression();
    collectAggregates(value);
    if (aggregates.isEmpty()) {
      return false;
    }
    for (Function aggregate : aggregates) {
      if (references(aggregate, false)) {
        return other("an aggregate over a column of the outer query");
      }
    }
    if (inner.getWhere() != null) {
      List<Expression> conjuncts = Conjuncts.of(inner.getWhere());
      for (Expression conjunct : conjuncts) {
        if (!references(conjunct, false)) {
          filters.add(conjunct);
        } else if (conjunct instanceof EqualsTo eq
            && side(eq.getLeftExpression()) * side(eq.getRightExpression()) < 0) {
          boolean leftInner = side(eq.getLeftExpression()) > 0;
          correlations.add(new Expression[] {
              leftInner ? eq.getLeftExpression() : eq.getRightExpression(),
              leftInner ? eq.getRightExpression() : eq.getLeftExpression()});
        } else {
          return other(
              "a correlation that is not an equality of its own and outer columns ("
                  + conjunct
                  + ")");
        }
      }
    }
    if (correlations.isEmpty()) {
      if (references(value, false)) {
        return other("an outer column in its value without a correlation");
      }
      kind = Kind.UNCORRELATED;
      return true;
    }
    kind = Kind.EQUALITY_CORRELATED;
    return true;
  }

  private boolean other(String why) {
    kind = Kind.OTHER;
    reason = why;
    return true;
  }

  private boolean addRelation(Table table) {
    String alias =
        Names.fold(table.getAlias() != null ? table.getAlias().getName() : table.getName());
    String name = Names.fold(table.getName());
    Relation relation = table.getSchemaName() == null && commonTableExpressions.containsKey(name)
        ? commonTableExpressions.get(name)
        : catalog.resolve(Names.fold(table.getSchemaName()), name).orElse(null);
    if (relation == null) {
      return false;
    }
    aliases.add(alias);
    relations.add(relation);
    return true;
  }

  /** +1: reads only own columns (at least one); −1: only outer columns (at least one); 0 else. */
  private int side(Expression e) {
    boolean own = references(e, true);
    boolean outer = references(e, false);
    return own && !outer ? 1 : outer && !own ? -1 : 0;
  }

  /** True when {@code e} reads a column of the subquery ({@code own}) or of the outer query. */
  private boolean references(Expression e, boolean own) {
    boolean[] found = {false};
    e.accept(new ExpressionVisitorAdapter<Void>() {
      @Override
      public <S> Void visit(Column c, S context) {
        if (isOwn(c) == own) {
          found[0] = true;
        }
        return null;
      }

      @Override
      public <S> Void visit(ParenthesedSelect s, S context) {
        found[0] |= !own;
        return null;
      }
    }, null);
    return found[0];
  }

  private boolean isOwn(Column c) {
    Table t = c.getTable();
    if (t != null && t.getName() != null) {
      return aliases.contains(Names.fold(t.getName()));
    }
    String name = Names.fold(c.getColumnName());
    return relations.stream().anyMatch(r -> r.column(name) != null);
  }

  private void collectAggregates(Expression value) {
    value.accept(new ExpressionVisitorAdapter<Void>() {
      @Override
      public <S> Void visit(Function f, S context) {
        if (isAggregate(f)) {
          if (aggregates.stream().noneMatch(a -> a.toString().equals(f.toString()))) {
            aggregates.add(f);
          }
          return null;
        }
        return super.visit(f, context);
      }
    }, null);
  }

  private boolean isAggregate(Function f) {
    return f.getName() != null
        && catalog.isAggregate(Names.fold(BlockAnalyzer.lastPart(f.getName())));
  }

  private static boolean isCount(Function f) {
    return f.getName() != null && Set.of("count", "regr_count").contains(
        BlockAnalyzer.lastPart(f.getName()).toLowerCase(Locale.ROOT));
  }
}
