package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Pass {@code rewrite} for {@code JOIN ... USING (c, …)} and {@code NATURAL JOIN}: both are an
 * ON condition of equalities plus a <em>merged</em> column per joined name, as PostgreSQL defines
 * them, so
 *
 * <pre>  l JOIN r USING (c)          ≡ l JOIN r ON l.c = r.c,      merged c = l.c
 *   l RIGHT JOIN r USING (c)    ≡ … ON l.c = r.c,              merged c = r.c
 *   l FULL JOIN r USING (c)     ≡ … ON l.c = r.c,              merged c = COALESCE(l.c, r.c)
 *   l NATURAL JOIN r            ≡ l JOIN r USING (the names both sides have, in l's order)</pre>
 *
 * where {@code l.c} is the left side's one column of that name (itself a merged column after an
 * earlier USING). An unqualified reference to a merged name reads the merged expression, and
 * {@code *} lists the merged columns once, first, then the left side's other columns, then the
 * right side's ({@code l.*} still lists all of l's). The result is an ordinary join, maintained by
 * the join rules.
 */
final class UsingJoinRewrite {
  /** One column of the join so far: its name and the expression that reads it. */
  private record Visible(String name, String expression) {}

  private static final String PLACEHOLDER = "__pgt_merged_";

  private UsingJoinRewrite() {}

  /** True when {@code plain} joins with USING or NATURAL. */
  static boolean applies(PlainSelect plain) {
    return plain.getJoins() != null && plain.getJoins().stream()
        .anyMatch(j -> j.isNatural() || (j.getUsingColumns() != null && !j.getUsingColumns().isEmpty()));
  }

  /** The rewritten query text ({@code plain} is changed in place). */
  static String rewrite(PlainSelect plain, FromColumns columns, CatalogLookup catalog)
      throws QueryException, UnsupportedQueryException {
    List<Visible> visible = new ArrayList<>(columnsOf(plain.getFromItem(), columns));
    Map<String, String> merged = new HashMap<>();
    List<String> placeholders = new ArrayList<>();
    List<Join> joins = plain.getJoins();
    for (Join join : joins) {
      List<Visible> right = columnsOf(join.getRightItem(), columns);
      join.getOnExpressions().forEach(on -> SubqueryScope.columns(on, c -> mergedReference(c, merged, placeholders)));
      if (!join.isNatural() && (join.getUsingColumns() == null || join.getUsingColumns().isEmpty())) {
        visible.addAll(right);
        continue;
      }
      List<String> names = join.isNatural()
          ? visible.stream().map(Visible::name).filter(n -> right.stream().anyMatch(r -> r.name().equals(n))).toList()
          : join.getUsingColumns().stream().map(c -> Names.fold(c.getColumnName())).toList();
      List<Visible> next = new ArrayList<>();
      List<String> conditions = new ArrayList<>();
      List<Visible> leftRest = new ArrayList<>(visible);
      List<Visible> rightRest = new ArrayList<>(right);
      for (String name : names) {
        Visible l = single(leftRest, name, "left");
        Visible r = single(rightRest, name, "right");
        leftRest.remove(l);
        rightRest.remove(r);
        conditions.add(l.expression() + " = " + r.expression());
        String expression = join.isFull() ? "COALESCE(" + l.expression() + ", " + r.expression() + ")"
            : join.isRight() ? r.expression() : l.expression();
        next.add(new Visible(name, expression));
        merged.put(name, expression);
      }
      next.addAll(leftRest);
      next.addAll(rightRest);
      visible = next;
      join.setNatural(false);
      join.setUsingColumns(List.of());
      join.setOnExpressions(List.of(parse(conditions.isEmpty() ? "TRUE" : String.join(" AND ", conditions))));
      if (!join.isLeft() && !join.isRight() && !join.isFull()) {
        join.setInner(true);
      }
    }
    List<SelectItem<?>> items = new ArrayList<>();
    for (SelectItem<?> item : plain.getSelectItems()) {
      if (item.getExpression() instanceof AllColumns && !(item.getExpression()
          instanceof net.sf.jsqlparser.statement.select.AllTableColumns)) {
        for (Visible v : visible) {
          items.add(SelectItem.from(parse(v.expression()), new Alias(Sql.identifier(v.name()))));
        }
        continue;
      }
      if (item.getAlias() == null && item.getExpression() instanceof Column c && c.getTable() == null
          && merged.containsKey(Names.fold(c.getColumnName()))) {
        item.setAlias(new Alias(Sql.identifier(Names.fold(c.getColumnName()))));
      }
      items.add(item);
    }
    plain.setSelectItems(items);
    BlockColumns.forEach(plain, joins.size(), catalog, c -> mergedReference(c, merged, placeholders));
    return withMergedExpressions(plain.toString(), placeholders);
  }

  /**
   * An unqualified reference to a merged name becomes a placeholder column that the printed query
   * replaces with the merged expression.
   */
  private static void mergedReference(Column c, Map<String, String> merged, List<String> placeholders) {
    String expression = c.getTable() == null || c.getTable().getName() == null
        ? merged.get(Names.fold(c.getColumnName())) : null;
    if (expression != null) {
      if (!placeholders.contains(expression)) {
        placeholders.add(expression);
      }
      c.setTable(null);
      c.setColumnName(Sql.identifier(PLACEHOLDER + placeholders.indexOf(expression)));
    }
  }

  private static String withMergedExpressions(String text, List<String> placeholders) {
    String result = text;
    for (int i = 0; i < placeholders.size(); i++) {
      result = result.replace(Sql.identifier(PLACEHOLDER + i), placeholders.get(i));
    }
    return result;
  }

  private static Visible single(List<Visible> side, String name, String which) throws QueryException {
    List<Visible> found = side.stream().filter(v -> v.name().equals(name)).toList();
    if (found.size() != 1) {
      throw new QueryException(found.isEmpty() ? "42703" : "42702", found.isEmpty()
          ? "column \"" + name + "\" specified in USING clause does not exist in " + which + " table"
          : "common column name \"" + name + "\" appears more than once in " + which + " table");
    }
    return found.get(0);
  }

  private static List<Visible> columnsOf(net.sf.jsqlparser.statement.select.FromItem item, FromColumns columns)
      throws QueryException, UnsupportedQueryException {
    List<String> names = columns.of(item);
    String alias = FromColumns.alias(item);
    List<Visible> visible = new ArrayList<>();
    for (String column : names) {
      visible.add(new Visible(column, Sql.identifier(alias) + "." + Sql.identifier(column)));
    }
    return visible;
  }

  private static net.sf.jsqlparser.expression.Expression parse(String text) throws QueryException {
    try {
      return CCJSqlParserUtil.parseExpression(text);
    } catch (JSQLParserException e) {
      throw new QueryException("42601", "the rewritten join condition does not parse: " + text, e);
    }
  }
}
