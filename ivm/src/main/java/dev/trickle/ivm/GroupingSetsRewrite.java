package dev.trickle.ivm;

import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.rewriter.parse.QueryParser;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Pass {@code rewrite} for GROUPING SETS, ROLLUP and CUBE: the query becomes a UNION ALL of one
 * GROUP BY query per grouping set, in which grouping columns outside the set read as typed NULLs
 * ({@code CASE WHEN false THEN min(col) END}) and {@code GROUPING(...)} is the set's constant
 * bitmask. Each branch is then an ordinary maintained aggregate. CUBE is capped at 6 columns (64
 * branches).
 */
final class GroupingSetsRewrite {
  private GroupingSetsRewrite() {}

  /** True when {@code plain} groups by GROUPING SETS, ROLLUP or CUBE. */
  static boolean applies(PlainSelect plain) {
    GroupByElement group = plain.getGroupBy();
    if (group == null) {
      return false;
    }
    if (group.getGroupingSets() != null && !group.getGroupingSets().isEmpty()) {
      return true;
    }
    return group.getGroupByExpressionList() != null
        && group.getGroupByExpressionList().stream().anyMatch(GroupingSetsRewrite::isRollupOrCube);
  }

  private static boolean isRollupOrCube(Object e) {
    return e instanceof Function f && f.getName() != null
        && (f.getName().equalsIgnoreCase("rollup") || f.getName().equalsIgnoreCase("cube"));
  }

  /** The UNION ALL text replacing {@code text}. */
  static String rewrite(String text, BlockAnalyzer probe) throws QueryException, UnsupportedQueryException {
    PlainSelect plain = (PlainSelect) DeltaCompiler.unwrap(QueryParser.parseSelect(text));
    List<List<String>> sets = sets(plain.getGroupBy(), probe);
    List<String> all = new ArrayList<>();
    sets.forEach(set -> set.forEach(e -> {
      if (!all.contains(e)) {
        all.add(e);
      }
    }));
    List<String> branches = new ArrayList<>();
    for (List<String> set : sets) {
      branches.add("(" + branch(text, set, all) + ")");
    }
    return String.join(" UNION ALL ", branches);
  }

  private static String branch(String text, List<String> set, List<String> all) throws QueryException {
    PlainSelect plain = (PlainSelect) DeltaCompiler.unwrap(QueryParser.parseSelect(text));
    List<SelectItem<?>> items = new ArrayList<>();
    for (SelectItem<?> item : plain.getSelectItems()) {
      Expression e = item.getExpression();
      String rewritten = rewriteExpression(e, set, all);
      String alias = item.getAlias() != null ? item.getAlias().getName() : Sql.identifier(BlockAnalyzer.nameOf(item));
      items.add(SelectItem.from(new net.sf.jsqlparser.schema.Column(rewritten),
          new net.sf.jsqlparser.expression.Alias(alias)));
    }
    plain.setSelectItems(items);
    if (plain.getHaving() != null) {
      plain.setHaving(new net.sf.jsqlparser.schema.Column(
          rewriteExpression(plain.getHaving(), set, all)));
    }
    GroupByElement group = new GroupByElement();
    if (set.isEmpty()) {
      plain.setGroupByElement(null);
    } else {
      ExpressionList<Expression> list = new ExpressionList<>();
      for (String e : set) {
        list.add(new net.sf.jsqlparser.schema.Column(e));
      }
      group.setGroupByExpressions(list);
      plain.setGroupByElement(group);
    }
    return plain.toString();
  }

  /** The expression's SQL for one grouping set. */
  private static String rewriteExpression(Expression e, List<String> set, List<String> all) {
    String text = e.toString();
    if (all.contains(text) && !set.contains(text)) {
      return "(CASE WHEN false THEN min(" + text + ") END)";
    }
    Map<String, String> placeholders = new LinkedHashMap<>();
    e.accept(new ExpressionVisitorAdapter<Void>() {
      @Override
      public <S> Void visit(Function f, S context) {
        if (f.getName() != null && f.getName().equalsIgnoreCase("grouping")) {
          long mask = 0;
          for (Expression argument : f.getParameters()) {
            mask = (mask << 1) | (set.contains(argument.toString()) ? 0 : 1);
          }
          String placeholder = "__pgt_grouping_" + placeholders.size();
          placeholders.put(placeholder + "()", Long.toString(mask));
          f.setName(placeholder);
          f.setParameters(new ExpressionList<>());
          return null;
        }
        return super.visit(f, context);
      }
    }, null);
    String sql = e.toString();
    for (Map.Entry<String, String> p : placeholders.entrySet()) {
      sql = sql.replace(p.getKey(), p.getValue());
    }
    return sql;
  }

  private static List<List<String>> sets(GroupByElement group, BlockAnalyzer probe) throws UnsupportedQueryException {
    if (group.getGroupingSets() != null && !group.getGroupingSets().isEmpty()) {
      List<List<String>> sets = new ArrayList<>();
      for (ExpressionList<?> set : group.getGroupingSets()) {
        List<String> columns = new ArrayList<>();
        set.forEach(e -> columns.add(e.toString()));
        sets.add(columns);
      }
      return sets;
    }
    List<String> plain = new ArrayList<>();
    List<List<String>> product = List.of(List.of());
    for (Object item : group.getGroupByExpressionList()) {
      Expression e = (Expression) item;
      if (isRollupOrCube(e)) {
        Function f = (Function) e;
        List<String> args = new ArrayList<>();
        f.getParameters().forEach(a -> args.add(a.toString()));
        List<List<String>> expansion = new ArrayList<>();
        if (f.getName().equalsIgnoreCase("rollup")) {
          for (int n = args.size(); n >= 0; n--) {
            expansion.add(args.subList(0, n));
          }
        } else {
          if (args.size() > 6) {
            throw probe.unsupported("CUBE of more than 6 columns (over 64 grouping sets)", "CUBE");
          }
          for (int mask = (1 << args.size()) - 1; mask >= 0; mask--) {
            List<String> subset = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
              if ((mask & (1 << (args.size() - 1 - i))) != 0) {
                subset.add(args.get(i));
              }
            }
            expansion.add(subset);
          }
        }
        List<List<String>> next = new ArrayList<>();
        for (List<String> left : product) {
          for (List<String> right : expansion) {
            List<String> combined = new ArrayList<>(left);
            combined.addAll(right);
            next.add(combined);
          }
        }
        product = next;
      } else {
        plain.add(e.toString());
      }
    }
    List<List<String>> sets = new ArrayList<>();
    for (List<String> set : product) {
      List<String> combined = new ArrayList<>(plain);
      combined.addAll(set);
      sets.add(combined);
    }
    return sets;
  }
}
