package dev.trickle.ivm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;

/**
 * The columns a block's delta terms probe in each input's current state: both sides of every
 * column-to-column equality in its join conditions and WHERE. A delta is only cheap when those
 * probes hit an index, so the driver warns, naming the column, when a source has none.
 */
final class ProbeKeys {
  private ProbeKeys() {}

  /** Source oid → columns probed by equality joins. */
  static Map<Long, Set<String>> of(QueryBlock block) {
    Map<Long, Set<String>> keys = new LinkedHashMap<>();
    for (Column[] pair : equalities(block, true)) {
      add(block, pair[0], keys);
      add(block, pair[1], keys);
    }
    return keys;
  }

  /**
   * Column-to-column equalities that hold in every row of the block: conjuncts of the ON
   * conditions of inner joins and of WHERE (not under OR or NOT).
   */
  static List<Column[]> equalities(QueryBlock block) {
    return equalities(block, false);
  }

  /** As {@link #equalities(QueryBlock)}, with outer joins' conditions too when {@code outer}. */
  private static List<Column[]> equalities(QueryBlock block, boolean outer) {
    List<String> conditions = new ArrayList<>();
    block.inputs().forEach(i -> {
      if (i.on() != null
          && (outer || i.join() == Input.JoinType.INNER || i.join() == Input.JoinType.CROSS)) {
        conditions.add(i.on());
      }
    });
    if (block.where() != null) {
      conditions.add(block.where().toString());
    }
    List<Column[]> pairs = new ArrayList<>();
    for (String condition : conditions) {
      try {
        collect(CCJSqlParserUtil.parseCondExpression(condition), pairs);
      } catch (JSQLParserException e) {
        // not a plain condition: no equalities to use
      }
    }
    return pairs;
  }

  private static void collect(Expression e, List<Column[]> pairs) {
    if (e instanceof net.sf.jsqlparser.expression.operators.conditional.AndExpression and) {
      collect(and.getLeftExpression(), pairs);
      collect(and.getRightExpression(), pairs);
    } else if (e instanceof net.sf.jsqlparser.expression.Parenthesis p) {
      collect(p.getExpression(), pairs);
    } else if (e instanceof EqualsTo equals
        && equals.getLeftExpression() instanceof Column left
        && equals.getRightExpression() instanceof Column right) {
      pairs.add(new Column[] {left, right});
    }
  }

  private static void add(QueryBlock block, Column column, Map<Long, Set<String>> keys) {
    String name = Names.fold(column.getColumnName());
    String table = column.getTable() == null || column.getTable().getName() == null ? null : Names.fold(column.getTable().getName());
    for (Input input : block.inputs()) {
      boolean matches = table != null ? input.alias().equals(table) : input.relation().column(name) != null;
      if (matches && input.derived() == null && !input.isFunction() && input.relation().oid() > 0
          && input.relation().column(name) != null) {
        keys.computeIfAbsent(input.relation().oid(), k -> new LinkedHashSet<>()).add(name);
        return;
      }
    }
  }
}
