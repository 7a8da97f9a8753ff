package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.rewriter.parse.QueryParser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.sf.jsqlparser.JSQLParserException;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.AnalyticType;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.WindowDefinition;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Pass {@code rewrite} for a grouping block whose HAVING holds a subquery (TPC-H Q11: {@code
 * HAVING sum(v) > (SELECT sum(v) * 0.0001 FROM …)}), whose SELECT list applies window functions
 * to grouped rows ({@code rank() OVER (ORDER BY sum(v) DESC)}) or that is DISTINCT: the grouping moves into a derived
 * input and the rest reads it,
 *
 * <pre>  SELECT f(k, agg) … FROM T WHERE p GROUP BY k HAVING h(k, agg)
 *   ≡ SELECT f(g.k, g.a) … FROM (SELECT k, agg AS a FROM T WHERE p GROUP BY k) AS g WHERE h(g.k, g.a)
 * </pre>
 *
 * an identity: HAVING filters the groups, as WHERE filters the derived rows, and a window over
 * grouped rows is a window over the derived rows. The derived input is a maintained aggregate; the
 * outer block is maintained by the rules of its own constructs (a scalar subquery becomes a join
 * with a maintained scalar aggregate, windows recompute their affected partitions). The columns
 * the outer block reads (group keys, and columns the keys determine) are exposed by the inner
 * block; a subquery in HAVING reading a grouped column reads the exposed one. A named window
 * ({@code OVER w … WINDOW w AS (…)}) is inlined first. DISTINCT applies to the outer block's rows
 * ({@code SELECT DISTINCT f(g.k, g.a) FROM (…) AS g}), and over windows to the windowed rows as a
 * block of its own ({@code SELECT DISTINCT * FROM (SELECT f(g.k, g.a), rank() OVER (…) FROM (…) AS
 * g) AS d}): a maintained DISTINCT over a derived input with its own window rule. A block with
 * {@code *} in its SELECT list or DISTINCT ON is left as it is (and refused). An ungrouped block
 * with windows and DISTINCT only gets the second step: DISTINCT over its windowed rows.
 */
final class GroupedBlockSplit {
  private static final String GROUPED = Sql.identifier("__pgt_grp");
  private static final String DISTINCT = Sql.identifier("__pgt_distinct");

  private final CatalogLookup catalog;
  private final Map<String, String> exposed = new LinkedHashMap<>();
  private final List<String> aggregates = new ArrayList<>();
  private final List<String> nonColumnKeys = new ArrayList<>();

  private GroupedBlockSplit(CatalogLookup catalog) {
    this.catalog = catalog;
  }

  /**
   * True when {@code plain} groups and has a subquery in HAVING, a window function or DISTINCT, or
   * applies window functions to ungrouped rows and is DISTINCT.
   */
  static boolean applies(PlainSelect plain, CatalogLookup catalog) {
    if (plain.getDistinct() != null && plain.getDistinct().getOnSelectItems() != null) {
      return false;
    }
    boolean star = plain.getSelectItems().stream().anyMatch(i -> i.getExpression() instanceof AllColumns);
    boolean subqueryInHaving = plain.getHaving() != null && SubqueryScope.hasRelationSubquery(plain.getHaving());
    boolean windows = plain.getSelectItems().stream().anyMatch(i -> hasWindow(i.getExpression()));
    boolean distinct = plain.getDistinct() != null;
    return grouped(plain, catalog) ? !star && (subqueryInHaving || windows || distinct) : windows && distinct;
  }

  private static boolean grouped(PlainSelect plain, CatalogLookup catalog) {
    return plain.getGroupBy() != null || plain.getHaving() != null
        || plain.getSelectItems().stream().anyMatch(i -> hasAggregate(i.getExpression(), catalog));
  }

  /** The rewritten query text. */
  static String rewrite(String text, CatalogLookup catalog) throws QueryException {
    PlainSelect plain = (PlainSelect) DeltaCompiler.unwrap(QueryParser.parseSelect(text));
    return new GroupedBlockSplit(catalog).split(plain);
  }

  private String split(PlainSelect plain) throws QueryException {
    inlineNamedWindows(plain);
    boolean distinct = plain.getDistinct() != null;
    boolean windows = plain.getSelectItems().stream().anyMatch(i -> hasWindow(i.getExpression()));
    plain.setDistinct(null);
    if (!grouped(plain, catalog)) {
      return "SELECT DISTINCT * FROM (" + plain + ") AS " + DISTINCT;
    }
    if (plain.getGroupBy() != null && plain.getGroupBy().getGroupByExpressionList() != null) {
      for (Object key : plain.getGroupBy().getGroupByExpressionList()) {
        if (!(key instanceof Column)) {
          nonColumnKeys.add(key.toString());
        }
      }
    }
    List<String> outputs = new ArrayList<>();
    for (SelectItem<?> item : plain.getSelectItems()) {
      outputs.add(outer(item.getExpression()) + " AS " + Sql.identifier(BlockAnalyzer.nameOf(item)));
    }
    String having = plain.getHaving() == null ? null : outer(plain.getHaving());
    List<SelectItem<?>> inner = new ArrayList<>();
    for (Map.Entry<String, String> e : exposed.entrySet()) {
      inner.add(SelectItem.from(parse(e.getKey()), new net.sf.jsqlparser.expression.Alias(Sql.identifier(e.getValue()))));
    }
    if (inner.isEmpty()) {
      inner.add(SelectItem.from(parse("count(*)"), new net.sf.jsqlparser.expression.Alias(Sql.identifier("__pgt_n"))));
    }
    var with = plain.getWithItemsList();
    plain.setWithItemsList(null);
    plain.setSelectItems(inner);
    plain.setHaving(null);
    plain.setOrderByElements(null);
    String prefix = with == null || with.isEmpty() ? ""
        : "WITH " + String.join(", ", with.stream().map(Object::toString).toList()) + " ";
    String outer = "SELECT " + (distinct && !windows ? "DISTINCT " : "") + String.join(", ", outputs)
        + " FROM (" + plain + ") AS " + GROUPED + (having == null ? "" : " WHERE " + having);
    return prefix + (distinct && windows ? "SELECT DISTINCT * FROM (" + outer + ") AS " + DISTINCT : outer);
  }

  /**
   * Replaces each {@code OVER w} of the SELECT list by the window {@code w} the block's WINDOW
   * clause defines, and drops the clause: a named window is only a name for its definition.
   */
  private static void inlineNamedWindows(PlainSelect plain) {
    if (plain.getWindowDefinitions() == null) {
      return;
    }
    for (SelectItem<?> item : plain.getSelectItems()) {
      item.getExpression().accept(new ExpressionVisitorAdapter<Void>() {
        @Override
        public <S> Void visit(AnalyticExpression a, S context) {
          for (WindowDefinition named : plain.getWindowDefinitions()) {
            if (a.getWindowName() != null && a.getWindowName().equalsIgnoreCase(named.getWindowName())) {
              WindowDefinition inline = new WindowDefinition();
              inline.setPartitionExpressionList(named.getPartitionExpressionList());
              inline.setOrderByElements(named.getOrderByElements());
              inline.setWindowElement(named.getWindowElement());
              a.setWindowName(null);
              a.setWindowDefinition(inline);
            }
          }
          return null;
        }

        @Override
        public <S> Void visit(ParenthesedSelect select, S context) {
          return null;
        }
      }, null);
    }
    plain.setWindowDefinitions(null);
  }

  /**
   * {@code e} over the derived input: aggregates and grouping expressions (outside subqueries)
   * read its columns, and so do the grouped columns a subquery in it reads from this block.
   */
  private String outer(Expression e) throws QueryException {
    List<ParenthesedSelect> subqueries = new ArrayList<>();
    List<String> found = new ArrayList<>();
    e.accept(new ExpressionVisitorAdapter<Void>() {
      @Override
      public <S> Void visit(Function f, S context) {
        if (isAggregate(f, catalog)) {
          found.add(f.toString());
          return null;
        }
        return super.visit(f, context);
      }

      @Override
      public <S> Void visit(AnalyticExpression a, S context) {
        if (a.getType() != AnalyticType.OVER && a.getType() != AnalyticType.WITHIN_GROUP_OVER) {
          found.add(a.toString());
          return null;
        }
        for (Expression part : parts(a)) {
          part.accept(this, context);
        }
        return null;
      }

      @Override
      public <S> Void visit(ParenthesedSelect select, S context) {
        subqueries.add(select);
        return null;
      }

      @Override
      public <S> Void visit(Select select, S context) {
        if (select instanceof ParenthesedSelect parenthesed) {
          subqueries.add(parenthesed);
        }
        return null;
      }
    }, null);
    String text = e.toString();
    for (int i = 0; i < subqueries.size(); i++) {
      text = text.replace(subqueries.get(i).toString(), Sql.identifier("__pgt_subq_" + i));
    }
    List<String> replaced = new ArrayList<>(found);
    replaced.addAll(nonColumnKeys);
    replaced.sort(Comparator.comparingInt(String::length).reversed());
    for (String expression : replaced) {
      if (text.contains(expression)) {
        text = text.replace(expression, GROUPED + "." + Sql.identifier(expose(expression)));
      }
    }
    Expression parsed = parse(text);
    SubqueryScope.columns(parsed, c -> {
      if (!isPlaceholder(c)) {
        readExposed(c);
      }
    });
    text = parsed.toString();
    for (int i = 0; i < subqueries.size(); i++) {
      Select copy = QueryParser.parseSelect(subqueries.get(i).toString());
      SubqueryScope scope = SubqueryScope.of(copy, catalog, List.of());
      SubqueryScope.columns(copy, c -> {
        if (!scope.isOwn(c) && !isPlaceholder(c)) {
          readExposed(c);
        }
      });
      text = text.replace(Sql.identifier("__pgt_subq_" + i), "(" + DeltaCompiler.unwrap(copy) + ")");
    }
    return text;
  }

  private void readExposed(Column c) {
    String name = expose(c.toString());
    c.setTable(new Table(GROUPED));
    c.setColumnName(Sql.identifier(name));
  }

  private static boolean isPlaceholder(Column c) {
    return c.getTable() != null && GROUPED.equals(c.getTable().getName())
        || c.getTable() == null && c.getColumnName().startsWith("\"__pgt_subq_");
  }

  private String expose(String expression) {
    return exposed.computeIfAbsent(expression, k -> "__pgt_x" + (exposed.size() + 1));
  }

  private static List<Expression> parts(AnalyticExpression a) {
    List<Expression> parts = new ArrayList<>();
    if (a.getExpression() != null) {
      parts.add(a.getExpression());
    }
    if (a.getPartitionExpressionList() != null) {
      a.getPartitionExpressionList().forEach(parts::add);
    }
    if (a.getOrderByElements() != null) {
      a.getOrderByElements().forEach(o -> parts.add(o.getExpression()));
    }
    return parts;
  }

  private static boolean hasWindow(Expression e) {
    boolean[] found = {false};
    e.accept(new ExpressionVisitorAdapter<Void>() {
      @Override
      public <S> Void visit(AnalyticExpression a, S context) {
        found[0] |= a.getType() == AnalyticType.OVER || a.getType() == AnalyticType.WITHIN_GROUP_OVER;
        return null;
      }
    }, null);
    return found[0];
  }

  private static boolean hasAggregate(Expression e, CatalogLookup catalog) {
    ConstructFinder finder = new ConstructFinder(catalog, a -> { });
    e.accept(finder, null);
    return finder.aggregates() > 0;
  }

  private static boolean isAggregate(Function f, CatalogLookup catalog) {
    return f.getName() != null && catalog.isAggregate(Names.fold(BlockAnalyzer.lastPart(f.getName())));
  }

  private static Expression parse(String text) throws QueryException {
    try {
      return CCJSqlParserUtil.parseExpression(text);
    } catch (JSQLParserException e) {
      throw new QueryException("42601", "the rewritten expression does not parse: " + text, e);
    }
  }
}
