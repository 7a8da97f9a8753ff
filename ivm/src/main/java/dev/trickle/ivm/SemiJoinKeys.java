package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.operators.conditional.AndExpression;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;

/**
 * The equality keys of a {@link SemiJoin}: conjuncts {@code b.c = a.x} of its condition that
 * equate a column of B with a column of one outer input. Both uses come from the telescoped terms
 * of {@link SemiJoinTerms}, which evaluate the condition once per candidate row:
 *
 * <ul>
 *   <li>Against B's delta ({@code e(a, B₀)} subtracts the changed matches): without an index that
 *       is a scan of the delta per candidate row, so the plan asks the refresh to index the delta
 *       table on the key columns ({@link #deltaLookups}).
 *   <li>The term for changes to B keeps the rows some changed row of B matches; {@link
 *       #restriction} says the same as "their key is one of the changed rows' keys", a condition on
 *       the outer rows alone, so the planner can reach them from the few changed keys through an
 *       index of the outer input instead of testing every outer row.
 * </ul>
 *
 * <p>A semi-join without such a conjunct ({@code NOT IN} matches NULLs, conditions under {@code
 * OR}, inequalities only) has no keys and is evaluated as before.
 */
final class SemiJoinKeys {
  /**
   * One key.
   *
   * @param innerColumn B's column, unquoted
   * @param outer the outer column it equals, as written in the condition
   */
  record Key(String innerColumn, String outer, String outerAlias, String outerColumn) {}

  private SemiJoinKeys() {}

  /** The keys of {@code semi}'s condition, in the order written. */
  static List<Key> of(SemiJoin semi) {
    String inner = Sql.identifier(semi.input().alias());
    List<Key> keys = new ArrayList<>();
    try {
      collect(CCJSqlParserUtil.parseCondExpression(semi.condition()), inner, keys);
    } catch (JSQLParserException e) {
      // a condition the parser cannot read back has no keys to use
      return List.of();
    }
    return keys;
  }

  /**
   * {@code (a.x, ...) IN (SELECT b.c, ... FROM ΔB)}, implied by {@link SemiJoin#touched()}: the
   * outer rows some changed row of B may match, by key alone; null when {@code semi} has no keys.
   * When the key is one column that is the whole primary key of the outer input ({@code inputs})
   * it names, the changed keys are handed over as an array, {@code a.x = ANY (ARRAY(SELECT DISTINCT
   * b.c FROM ΔB))}: PostgreSQL cannot estimate how many rows an {@code IN (SELECT ...)} over a work
   * table keeps of a large outer table, and hashes the whole outer table (filtered) rather than
   * probe its key index once per changed key; the array is one index scan of the primary key
   * (measured in {@code docs/benchmarks/README.md}). Only for a key with an index behind it:
   * without one the array would be searched once per outer row.
   *
   * @param inputs the outer inputs the term reads in their current state (a delta or pre-change
   *     state has no index)
   */
  static String restriction(SemiJoin semi, List<Input> inputs) {
    List<Key> keys = of(semi);
    if (keys.isEmpty()) {
      return null;
    }
    String alias = Sql.identifier(semi.input().alias());
    if (keys.size() == 1) {
      Key key = keys.get(0);
      for (Input input : inputs) {
        if (input.derived() == null
            && !input.isFunction()
            && input.alias().equals(key.outerAlias())
            && input.relation().primaryKey().equals(List.of(key.outerColumn()))) {
          return key.outer() + " = ANY (ARRAY(SELECT DISTINCT " + alias + "."
              + Sql.identifier(key.innerColumn()) + " FROM " + semi.input().delta() + "))";
        }
      }
    }
    List<String> outer = keys.stream().map(Key::outer).toList();
    List<String> inner = keys.stream().map(k -> alias + "." + Sql.identifier(k.innerColumn())).toList();
    String left = outer.size() == 1 ? outer.get(0) : "(" + String.join(", ", outer) + ")";
    return left + " IN (SELECT " + String.join(", ", inner) + " FROM " + semi.input().delta() + ")";
  }

  /**
   * Source oid → the column lists the block's semi-joins over tables look up by equality in that
   * table's delta, with those of the plans of its derived inputs.
   */
  static Map<Long, Set<List<String>>> deltaLookups(QueryBlock block) {
    Map<Long, Set<List<String>>> lookups = new LinkedHashMap<>();
    for (SemiJoin semi : block.semiJoins()) {
      if (semi.input().derived() != null) {
        merge(lookups, semi.input().derived().plan().deltaLookups());
        continue;
      }
      List<String> columns = of(semi).stream().map(Key::innerColumn).distinct().toList();
      if (!columns.isEmpty()) {
        lookups.computeIfAbsent(semi.input().relation().oid(), o -> new LinkedHashSet<>()).add(columns);
      }
    }
    for (Input input : block.derivedInputs()) {
      merge(lookups, input.derived().plan().deltaLookups());
    }
    return lookups;
  }

  private static void merge(Map<Long, Set<List<String>>> into, Map<Long, Set<List<String>>> from) {
    from.forEach((oid, lists) -> into.computeIfAbsent(oid, o -> new LinkedHashSet<>()).addAll(lists));
  }

  private static void collect(Expression e, String inner, List<Key> keys) {
    Expression x = SemiJoinFinder.unparenthesized(e);
    if (x instanceof AndExpression and) {
      collect(and.getLeftExpression(), inner, keys);
      collect(and.getRightExpression(), inner, keys);
    } else if (x instanceof EqualsTo equals
        && SemiJoinFinder.unparenthesized(equals.getLeftExpression()) instanceof Column left
        && SemiJoinFinder.unparenthesized(equals.getRightExpression()) instanceof Column right) {
      if (of(left, inner) && outer(right, inner)) {
        keys.add(new Key(Names.fold(left.getColumnName()), right.toString(),
            Names.fold(right.getTable().getName()), Names.fold(right.getColumnName())));
      } else if (of(right, inner) && outer(left, inner)) {
        keys.add(new Key(Names.fold(right.getColumnName()), left.toString(),
            Names.fold(left.getTable().getName()), Names.fold(left.getColumnName())));
      }
    }
  }

  /** True when {@code column} is qualified by B's alias. */
  private static boolean of(Column column, String inner) {
    return column.getTable() != null && inner.equals(column.getTable().getName())
        && column.getTable().getSchemaName() == null;
  }

  /** True when {@code column} is qualified by an outer input's alias (never B's). */
  private static boolean outer(Column column, String inner) {
    return column.getTable() != null && column.getTable().getName() != null && !of(column, inner);
  }
}
