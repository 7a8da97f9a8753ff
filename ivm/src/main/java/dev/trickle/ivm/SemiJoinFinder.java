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
 * Finds the {@link SemiJoin}s a WHERE clause contains: top-level conjuncts that are [NOT] EXISTS
 * or [NOT] IN over a subquery. A subquery reading a single table is tested against that table;
 * any other (joins, views, CTEs, grouping, set operations, nested subqueries) becomes a derived
 * input ({@link DerivedSemiJoin}), and its conjunct in WHERE is replaced by the same test over the
 * derived input's current rows, so no term evaluates the subquery from scratch.
 *
 * <p>The semi-join's condition moves the IN's outer expression into the subquery's scope, where
 * an unqualified column may name a column of the subquery's relation instead ({@code id NOT IN
 * (SELECT x FROM t)} with {@code t.id}), and where the subquery's relation may carry the same
 * name as an outer input ({@code k NOT IN (SELECT v FROM op)} over {@code op}). So the relation
 * is renamed {@value #ALIAS} and every column of the condition is qualified as PostgreSQL
 * resolves it in the user's query: the subquery's own columns first, then the outer inputs'.
 */
final class SemiJoinFinder {
  /**
   * What was found: the semi-joins in WHERE order, the conjuncts left to check as usual, and the
   * WHERE condition the block keeps (the written one unless a conjunct was replaced).
   */
  record Split(List<SemiJoin> semiJoins, List<Expression> others, Expression where) {}

  /** Resolves a semi-join's subquery. */
  interface Resolver {
    /** The subquery's one table as an input, or null when it is a view or CTE. */
    Input table(PlainSelect subquery) throws QueryException, UnsupportedQueryException;

    /** The semi-join over the subquery as a derived input ({@link DerivedSemiJoin}). */
    SemiJoin derived(boolean negated, String outerValue, Select subquery, String rest)
        throws QueryException, UnsupportedQueryException;
  }

  /** The alias of the subquery's relation in the semi-join's condition. */
  static final String ALIAS = "__pgt_sj";

  private SemiJoinFinder() {}

  /**
   * @param outer the block's inputs, which the subquery's correlated columns refer to
   */
  static Split split(Expression where, Resolver resolver, List<Input> outer)
      throws QueryException, UnsupportedQueryException {
    List<Expression> conjuncts = Conjuncts.of(where);
    List<Expression> others = new ArrayList<>();
    for (Expression conjunct : conjuncts) {
      if (!isSemiJoin(conjunct)) {
        others.add(conjunct);
      }
    }
    String rest =
        others.isEmpty()
            ? null
            : String.join(" AND ", others.stream().map(e -> "(" + e + ")").toList());
    List<SemiJoin> found = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    boolean replaced = false;
    for (Expression conjunct : conjuncts) {
      Found semi = isSemiJoin(conjunct) ? semiJoin(conjunct, resolver, outer, rest) : null;
      if (semi != null) {
        found.add(semi.semiJoin());
      }
      if (semi != null && semi.writtenAsExists()) {
        kept.add("(" + semi.semiJoin().holdsNow() + ")");
        replaced = true;
      } else {
        kept.add("(" + conjunct + ")");
      }
    }
    if (found.isEmpty()) {
      return new Split(List.of(), others, where);
    }
    return new Split(List.copyOf(found), others, replaced ? condition(String.join(" AND ", kept)) : where);
  }

  /**
   * A semi-join and whether the block's WHERE tests it as {@link SemiJoin#holdsNow()} rather than
   * as written: a derived input's test reads its current rows instead of evaluating the subquery,
   * and a NOT IN between columns that cannot be NULL is the NOT EXISTS PostgreSQL plans as an anti
   * join (a NOT IN stays a hashed subplan, whose build PostgreSQL charges again on every rescan of
   * an inner index scan, so it would rather scan the outer table whole than probe it from a delta).
   */
  private record Found(SemiJoin semiJoin, boolean writtenAsExists) {}

  private static boolean isSemiJoin(Expression conjunct) {
    Expression e = unparenthesized(conjunct);
    if (e instanceof NotExpression not) {
      e = unparenthesized(not.getExpression());
    }
    Select subquery = e instanceof ExistsExpression exists ? subquery(exists.getRightExpression())
        : e instanceof InExpression in ? subquery(in.getRightExpression()) : null;
    return subquery != null && SubqueryScope.readsRelation(subquery);
  }

  private static Found semiJoin(
      Expression conjunct, Resolver resolver, List<Input> outerInputs, String rest)
      throws QueryException, UnsupportedQueryException {
    boolean negated = false;
    Expression e = unparenthesized(conjunct);
    if (e instanceof NotExpression not) {
      negated = true;
      e = unparenthesized(not.getExpression());
    }
    if (e instanceof ExistsExpression exists) {
      boolean not = negated ^ exists.isNot();
      Select select = subquery(exists.getRightExpression());
      Input input = select instanceof PlainSelect sub && simple(sub) ? resolver.table(sub) : null;
      if (input == null) {
        return derived(resolver.derived(not, null, copy(select), rest));
      }
      PlainSelect sub = (PlainSelect) select;
      Input renamed = new Input(input.index(), ALIAS, input.relation(), input.join(), input.on());
      PlainSelect copy = (PlainSelect) copy(sub);
      String condition = copy.getWhere() == null ? "TRUE"
          : qualified(copy.getWhere(), input, sub, outerInputs);
      return new Found(new SemiJoin(not, renamed, condition, rest), false);
    }
    InExpression in = (InExpression) e;
    boolean not = negated ^ in.isNot();
    Select select = subquery(in.getRightExpression());
    String outer = "(" + qualified(parse(in.getLeftExpression()), null, null, outerInputs) + ")";
    Input input = select instanceof PlainSelect sub && simple(sub) && sub.getSelectItems().size() == 1
        ? resolver.table(sub) : null;
    if (input == null) {
      return derived(resolver.derived(not, outer, copy(select), rest));
    }
    PlainSelect sub = (PlainSelect) select;
    Input renamed = new Input(input.index(), ALIAS, input.relation(), input.join(), input.on());
    PlainSelect copy = (PlainSelect) copy(sub);
    String inner =
        "("
            + qualified(copy.getSelectItems().get(0).getExpression(), input, sub, outerInputs)
            + ")";
    String where =
        copy.getWhere() == null
            ? "TRUE"
            : "(" + qualified(copy.getWhere(), input, sub, outerInputs) + ")";
    boolean nullable =
        !neverNull(sub.getSelectItems().get(0).getExpression(), input, sub, outerInputs)
            || !neverNull(in.getLeftExpression(), null, null, outerInputs);
    String match = not && nullable
        ? "(" + inner + " = " + outer + " OR " + inner + " IS NULL OR " + outer + " IS NULL)"
        : inner + " = " + outer;
    return new Found(new SemiJoin(not, renamed, where + " AND " + match, rest), not && !nullable);
  }

  private static Found derived(SemiJoin semi) {
    return new Found(semi, semi.input().derived() != null && semi.input().derived().plan() != null);
  }

  private static Expression condition(String text) throws QueryException {
    try {
      return CCJSqlParserUtil.parseCondExpression(text);
    } catch (JSQLParserException ex) {
      throw new QueryException("42601", "the rewritten condition does not parse: " + text, ex);
    }
  }

  /** {@code e} without the parentheses around it. */
  static Expression unparenthesized(Expression e) {
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

  private static Select copy(Select sub) throws QueryException {
    return DeltaCompiler.unwrap(QueryParser.parseSelect(sub.toString()));
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

  /**
   * Whether {@code e} is never NULL where the semi-join tests it: a column declared NOT NULL of the
   * subquery's table ({@code inner}, null for the IN's outer side), resolved as {@link #qualified}
   * does, or of an outer table that no outer join pads. NOT IN then needs no NULL disjuncts, so its
   * condition is a plain equality PostgreSQL can hash or probe an index with.
   */
  private static boolean neverNull(Expression e, Input inner, PlainSelect sub, List<Input> outer) {
    if (!(unparenthesized(e) instanceof Column column)) {
      return false;
    }
    String name = Names.fold(column.getColumnName());
    Table table = column.getTable();
    String qualifier =
        table == null || table.getName() == null ? null : Names.fold(table.getName());
    boolean innerColumn =
        inner != null
            && (qualifier == null
                ? inner.relation().column(name) != null
                : qualifier.equals(innerName(sub)) && table.getSchemaName() == null);
    if (innerColumn) {
      return inner.declaredNotNull(name);
    }
    if (table != null && table.getSchemaName() != null) {
      return false;
    }
    List<Input> owners =
        outer.stream()
            .filter(i -> qualifier == null ? i.relation().column(name) != null : i.alias().equals(qualifier))
            .toList();
    boolean padded =
        outer.stream()
            .anyMatch(
                i -> i.join() == Input.JoinType.FULL || i.join() == Input.JoinType.RIGHT_SWAPPED);
    return owners.size() == 1
        && !padded
        && owners.get(0).join() != Input.JoinType.LEFT
        && owners.get(0).derived() == null
        && owners.get(0).declaredNotNull(name);
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
        && sub.getFromItem() instanceof net.sf.jsqlparser.schema.Table
        && (sub.getWhere() == null || !SubqueryScope.hasRelationSubquery(sub.getWhere()));
  }
}
