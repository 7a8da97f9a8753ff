package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.sf.jsqlparser.expression.Alias;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Pass {@code rewrite} for outer joins that other joins follow ({@code a LEFT JOIN b ON p JOIN c
 * ON q}, {@code a LEFT JOIN b … LEFT JOIN c …}) and RIGHT/FULL joins of more than two relations
 * ({@code a JOIN b … FULL JOIN c …}). Joins associate to the left, so the join tree's prefix is a
 * relation of its own:
 *
 * <pre>  a LEFT JOIN b ON p JOIN c ON q  ≡  (SELECT a.*, b.* FROM a LEFT JOIN b ON p) AS j JOIN c ON q'</pre>
 *
 * with every reference to a column of a or b read from j instead ({@code q'}). The prefix becomes
 * a <em>derived input</em> with its own maintained plan (the two-relation outer-join rule, or the
 * LEFT JOIN rule after inner joins), whose delta and current rows the rest of the block joins like
 * a table's. One prefix is split off per pass: the shortest one ending in the first outer join
 * that other joins follow, or the inner joins before a RIGHT/FULL join, until every outer join of
 * the block is its last join over two relations (RIGHT/FULL) or after inner joins (LEFT).
 */
final class OuterJoinNesting {
  private static final String PREFIX = "__pgt_oj";

  private OuterJoinNesting() {}

  /** True when a prefix of {@code plain}'s joins has to become a derived input. */
  static boolean applies(PlainSelect plain) {
    return prefixEnd(plain) >= 0;
  }

  /**
   * The number of joins the prefix to split off holds (its FROM item plus that many joins), or −1
   * when every outer join already has a rule where it stands.
   */
  private static int prefixEnd(PlainSelect plain) {
    List<Join> joins = plain.getJoins() == null ? List.of() : plain.getJoins();
    for (int i = 0; i < joins.size(); i++) {
      Join join = joins.get(i);
      boolean last = i == joins.size() - 1;
      if ((join.isRight() || join.isFull()) && i > 0) {
        return i;
      }
      if ((join.isLeft() || join.isRight() || join.isFull()) && !last) {
        return i + 1;
      }
    }
    return -1;
  }

  /** The rewritten query text ({@code plain} is changed in place). */
  static String rewrite(PlainSelect plain, FromColumns columns, CatalogLookup catalog,
      BlockAnalyzer positions) throws QueryException, UnsupportedQueryException {
    int end = prefixEnd(plain);
    List<FromItem> items = new ArrayList<>();
    items.add(plain.getFromItem());
    List<Join> joins = plain.getJoins();
    for (int i = 0; i < end; i++) {
      items.add(joins.get(i).getRightItem());
    }
    Map<String, List<String>> columnsByAlias = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (FromItem item : items) {
      String alias = FromColumns.alias(item);
      if (item instanceof net.sf.jsqlparser.statement.select.LateralSubSelect || alias == null) {
        throw positions.unsupported("LATERAL item or unnamed FROM item inside an outer join that other joins follow",
            item.toString());
      }
      List<String> names = columns.of(item);
      columnsByAlias.put(alias, names);
      names.forEach(n -> counts.merge(n, 1, Integer::sum));
    }
    Set<String> taken = new HashSet<>(columnsByAlias.keySet());
    joins.subList(end, joins.size()).forEach(j -> taken.add(FromColumns.alias(j.getRightItem())));
    int n = 1;
    while (taken.contains(PREFIX + n)) {
      n++;
    }
    String nested = PREFIX + n;
    Map<String, Map<String, String>> exposed = new LinkedHashMap<>();
    List<String> select = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : columnsByAlias.entrySet()) {
      Map<String, String> names = new LinkedHashMap<>();
      for (String column : e.getValue()) {
        String name = counts.get(column) == 1 ? column : "__pgt_" + e.getKey() + "_" + column;
        names.put(column, name);
        select.add(Sql.identifier(e.getKey()) + "." + Sql.identifier(column) + " AS " + Sql.identifier(name));
      }
      exposed.put(e.getKey(), names);
    }
    StringBuilder from = new StringBuilder(plain.getFromItem().toString());
    for (int i = 0; i < end; i++) {
      from.append(joinText(joins.get(i)));
    }
    String body = "(SELECT " + String.join(", ", select) + " FROM " + from + ") AS " + Sql.identifier(nested);
    List<SelectItem<?>> outputs = new ArrayList<>();
    for (SelectItem<?> item : plain.getSelectItems()) {
      if (item.getExpression() instanceof AllTableColumns all
          && exposed.containsKey(Names.fold(all.getTable().getName()))) {
        exposed.get(Names.fold(all.getTable().getName())).forEach((column, name) ->
            outputs.add(exposedItem(nested, column, name)));
      } else if (item.getExpression() instanceof AllColumns && !(item.getExpression() instanceof AllTableColumns)) {
        exposed.values().forEach(names -> names.forEach((column, name) -> outputs.add(exposedItem(nested, column, name))));
        for (Join join : joins.subList(end, joins.size())) {
          outputs.add(SelectItem.from(new AllTableColumns(new Table(Sql.identifier(FromColumns.alias(join.getRightItem()))))));
        }
      } else {
        if (item.getAlias() == null && item.getExpression() instanceof Column c && c.getTable() != null
            && exposed.containsKey(Names.fold(c.getTable().getName()))) {
          item.setAlias(new Alias(Sql.identifier(Names.fold(c.getColumnName()))));
        }
        outputs.add(item);
      }
    }
    plain.setSelectItems(outputs);
    UnsupportedQueryException[] refused = {null};
    BlockColumns.forEach(plain, end, catalog, c -> {
      Table table = c.getTable();
      if (table == null || table.getName() == null || !exposed.containsKey(Names.fold(table.getName()))) {
        return;
      }
      String name = exposed.get(Names.fold(table.getName())).get(Names.fold(c.getColumnName()));
      if (name == null && refused[0] == null) {
        refused[0] = positions.unsupported("column " + c + " of an outer join that other joins follow", c.toString());
      }
      c.setTable(new Table(Sql.identifier(nested)));
      c.setColumnName(Sql.identifier(name == null ? Names.fold(c.getColumnName()) : name));
    });
    if (refused[0] != null) {
      throw refused[0];
    }
    List<Join> rest = new ArrayList<>(joins.subList(end, joins.size()));
    StringBuilder remaining = new StringBuilder();
    rest.forEach(j -> remaining.append(joinText(j)));
    plain.setJoins(null);
    plain.setFromItem(new Table(PREFIX_PLACEHOLDER));
    return plain.toString().replace(PREFIX_PLACEHOLDER, body + remaining);
  }

  private static final String PREFIX_PLACEHOLDER = "__pgt_nested_join_tree";

  /** A join as PostgreSQL reads it after the items before it (a comma join with its comma). */
  private static String joinText(Join join) {
    return (join.isSimple() ? ", " : " ") + join;
  }

  private static SelectItem<?> exposedItem(String nested, String column, String name) {
    return SelectItem.from(new Column(new Table(Sql.identifier(nested)), Sql.identifier(name)),
        new Alias(Sql.identifier(column)));
  }
}
