package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.operators.relational.EqualsTo;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;

/**
 * The changes of an outer join's right input R summed once per join key, for the rows of the
 * left inputs whose match status may have changed: {@code (SELECT key, sum(w) FROM ΔR WHERE
 * filters on R GROUP BY key)} joined to the left rows by the key. Without it each candidate left
 * row summed its matches in ΔR with a correlated subquery, a scan of the whole delta per row,
 * which is quadratic in the batch (TPC-H Q13 at 1% changes, docs/benchmarks/tpch.md).
 *
 * <p>Applies when the join condition is a conjunction of equalities between a column of R and a
 * column of the other inputs (at least one) and conditions on R's columns alone; otherwise {@link
 * #of} returns null and the caller keeps the correlated form.
 *
 * @param fromItem the grouped delta as a FROM item named {@link #ALIAS}
 * @param joinCondition equates the left inputs' key columns with the grouped keys
 * @param sum the signed number of changed matches of a left row
 */
record GroupedRightDelta(String fromItem, String joinCondition, String sum) {
  private static final String ALIAS = Sql.identifier("__pgt_dr");

  /** The grouped form for {@code right} joined {@code ON on} in {@code block}, or null. */
  static GroupedRightDelta of(QueryBlock block, Input right, String on) {
    Expression condition;
    try {
      condition = CCJSqlParserUtil.parseCondExpression(on);
    } catch (JSQLParserException e) {
      return null;
    }
    List<String> rightKeys = new ArrayList<>();
    List<String> leftKeys = new ArrayList<>();
    List<String> filters = new ArrayList<>();
    for (Expression conjunct : Conjuncts.of(condition)) {
      if (conjunct.toString().toLowerCase(Locale.ROOT).contains("select")) {
        return null;
      }
      if (conjunct instanceof EqualsTo eq
          && eq.getLeftExpression() instanceof Column a
          && eq.getRightExpression() instanceof Column b
          && side(block, right, a) != side(block, right, b)
          && side(block, right, a) != Side.UNKNOWN
          && side(block, right, b) != Side.UNKNOWN) {
        boolean aRight = side(block, right, a) == Side.RIGHT;
        rightKeys.add((aRight ? a : b).toString());
        leftKeys.add((aRight ? b : a).toString());
        continue;
      }
      List<Column> columns = new ArrayList<>();
      conjunct.accept(new ExpressionVisitorAdapter() {
        @Override
        public void visit(Column column) {
          columns.add(column);
        }
      });
      if (!columns.stream().allMatch(c -> side(block, right, c) == Side.RIGHT)) {
        return null;
      }
      filters.add("(" + conjunct + ")");
    }
    if (rightKeys.isEmpty()) {
      return null;
    }
    List<String> select = new ArrayList<>();
    List<String> join = new ArrayList<>();
    for (int i = 0; i < rightKeys.size(); i++) {
      String key = Sql.identifier("__pgt_k" + i);
      select.add(rightKeys.get(i) + " AS " + key);
      join.add(leftKeys.get(i) + " = " + ALIAS + "." + key);
    }
    String sum = Sql.identifier("__pgt_dsum");
    String fromItem = "(SELECT " + String.join(", ", select) + ", sum(" + Sql.identifier(right.alias())
        + "." + DeltaNames.WEIGHT + ") AS " + sum + " FROM " + right.delta()
        + (filters.isEmpty() ? "" : " WHERE " + String.join(" AND ", filters))
        + " GROUP BY " + String.join(", ", rightKeys) + ") AS " + ALIAS;
    return new GroupedRightDelta(fromItem, String.join(" AND ", join), ALIAS + "." + sum);
  }

  private enum Side {
    RIGHT,
    LEFT,
    UNKNOWN
  }

  /** Which side a column reference belongs to: by its qualifier, else by the one input having it. */
  private static Side side(QueryBlock block, Input right, Column column) {
    String name = Names.fold(column.getColumnName());
    String table = column.getTable() == null || column.getTable().getName() == null
        ? null : Names.fold(column.getTable().getName());
    if (table != null) {
      if (column.getTable().getSchemaName() != null) {
        return Side.UNKNOWN;
      }
      Input input = block.input(table);
      return input == null ? Side.UNKNOWN : input == right ? Side.RIGHT : Side.LEFT;
    }
    boolean inRight = hasColumn(right, name);
    long inLeft = block.inputs().stream().filter(i -> i != right && hasColumn(i, name)).count();
    if (inRight && inLeft == 0) {
      return Side.RIGHT;
    }
    return !inRight && inLeft == 1 ? Side.LEFT : Side.UNKNOWN;
  }

  private static boolean hasColumn(Input input, String name) {
    return input.derived() != null
        ? input.derived().columns().contains(name)
        : input.relation().column(name) != null;
  }
}
