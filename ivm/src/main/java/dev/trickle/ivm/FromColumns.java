package dev.trickle.ivm;

import dev.trickle.rewriter.parse.QueryException;
import java.util.List;
import net.sf.jsqlparser.statement.select.FromItem;

/**
 * The column names of one FROM item of a block, in order (a table's, a view's, a CTE's, a
 * subquery's or a function's, after the item's column aliases): what {@code SELECT *} and
 * {@code NATURAL JOIN} read, learned as the analyzer learns them.
 */
@FunctionalInterface
interface FromColumns {
  List<String> of(FromItem item) throws QueryException, UnsupportedQueryException;

  /** The name a FROM item is referred to by: its alias, else its table or function name (folded). */
  static String alias(FromItem item) {
    if (item.getAlias() != null) {
      return Names.fold(item.getAlias().getName());
    }
    if (item instanceof net.sf.jsqlparser.schema.Table table) {
      return Names.fold(table.getName());
    }
    if (item instanceof net.sf.jsqlparser.statement.select.TableFunction function) {
      return Names.fold(BlockAnalyzer.lastPart(function.getFunction().getName()));
    }
    return null;
  }
}
