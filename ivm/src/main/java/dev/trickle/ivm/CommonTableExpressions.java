package dev.trickle.ivm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import net.sf.jsqlparser.statement.select.WithItem;

/**
 * The non-recursive CTEs a block defines, in order. A reference to one becomes a derived input
 * compiled from its body; that body, and every subquery of the block compiled on its own (a
 * subquery in FROM, the scalar aggregate subquery the rewrite turns into a join), is compiled
 * <em>in context</em>: prefixed with the WITH items it may reference, so {@code WITH r AS (...)
 * SELECT ... FROM s, r WHERE r.total = (SELECT max(total) FROM r)} and CTEs reading earlier CTEs
 * resolve as PostgreSQL resolves them.
 */
final class CommonTableExpressions {
  /** One WITH item: its text as written ({@code name(cols) AS (body)}), body and column names. */
  private record Item(String text, String body, List<String> columns) {}

  private final Map<String, Item> items = new LinkedHashMap<>();

  /** Records the block's WITH items (folded names). */
  void define(List<WithItem<?>> withItems) {
    for (WithItem<?> cte : withItems) {
      List<String> columns =
          cte.getWithItemList() == null
              ? List.of()
              : cte.getWithItemList().stream()
                  .map(c -> Names.fold(c.getExpression().toString()))
                  .toList();
      items.put(Names.fold(cte.getAliasName()),
          new Item(cte.toString(), cte.getSelect().getSelect().toString(), columns));
    }
  }

  boolean defines(String name) {
    return items.containsKey(name);
  }

  /** The column names the WITH item gives its body's outputs (empty when it gives none). */
  List<String> columns(String name) {
    return items.get(name).columns();
  }

  /** The body of CTE {@code name}, prefixed with the CTEs defined before it that it references. */
  String body(String name) {
    List<String> before = new ArrayList<>();
    for (Map.Entry<String, Item> e : items.entrySet()) {
      if (e.getKey().equals(name)) {
        break;
      }
      before.add(e.getKey());
    }
    return inContext(items.get(name).body(), before);
  }

  /** {@code subquery} prefixed with every CTE of the block it references. */
  String inContext(String subquery) {
    return inContext(subquery, new ArrayList<>(items.keySet()));
  }

  private String inContext(String subquery, List<String> visible) {
    List<String> used = new ArrayList<>();
    for (String name : visible) {
      if (mentions(subquery, name)) {
        used.add(items.get(name).text());
      }
    }
    if (used.isEmpty()) {
      return subquery;
    }
    String prefix = "WITH " + String.join(", ", used);
    String stripped = subquery.strip();
    if (stripped.regionMatches(true, 0, "WITH ", 0, 5)) {
      return prefix + ", " + stripped.substring(5);
    }
    return prefix + " " + stripped;
  }

  /**
   * True when {@code name} occurs in {@code text} as a word (a conservative over-approximation).
   */
  private static boolean mentions(String text, String name) {
    return Pattern.compile("(?<![\\w$\"])\"?" + Pattern.quote(name) + "\"?(?![\\w$])",
        Pattern.CASE_INSENSITIVE).matcher(text.toLowerCase(Locale.ROOT)).find();
  }
}
