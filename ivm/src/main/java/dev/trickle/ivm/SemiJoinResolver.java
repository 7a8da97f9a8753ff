package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.rewriter.parse.Relation;
import java.util.List;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;

/**
 * Resolves the subqueries of one block's semi-joins for {@link SemiJoinFinder}: a subquery over
 * one table reads that table; any other (a view or CTE included) becomes a derived input through
 * {@link DerivedSemiJoin}, compiled by the block's analyzer with the block's CTEs in context.
 */
final class SemiJoinResolver implements SemiJoinFinder.Resolver {
  private final BlockAnalyzer analyzer;
  private final CatalogLookup catalog;
  private final List<Input> outer;

  /**
   * @param outer the block's inputs, which correlated columns refer to
   */
  SemiJoinResolver(BlockAnalyzer analyzer, CatalogLookup catalog, List<Input> outer) {
    this.analyzer = analyzer;
    this.catalog = catalog;
    this.outer = outer;
  }

  @Override
  public Input table(PlainSelect subquery) throws QueryException, UnsupportedQueryException {
    Table table = (Table) subquery.getFromItem();
    String name = Names.fold(table.getName());
    boolean cte = table.getSchemaName() == null && analyzer.definesCte(name);
    boolean view = !cte && (table.getSchemaName() != null || !analyzer.definesLocal(name))
        && catalog.resolve(Names.fold(table.getSchemaName()), name)
            .map(r -> r.kind() == Relation.Kind.VIEW).orElse(false);
    if ((cte || view) && analyzer.compilesDerived()) {
      return null;
    }
    Input input = analyzer.input(-1, subquery.getFromItem(), Input.JoinType.FIRST, null);
    if (input.derived() != null) {
      throw analyzer.unsupported("EXISTS / IN subquery over a view or CTE", "EXISTS");
    }
    if (subquery.getWhere() != null) {
      analyzer.check(subquery.getWhere(), false);
    }
    return input;
  }

  @Override
  public SemiJoin derived(boolean negated, String outerValue, Select subquery, String rest)
      throws QueryException, UnsupportedQueryException {
    if (!analyzer.compilesDerived()) {
      throw analyzer.unsupported("EXISTS / IN subquery over joins, views or grouping in this position",
          subquery.toString());
    }
    return DerivedSemiJoin.of(negated, outerValue, subquery, rest, outer, catalog,
        (text, aliases) -> analyzer.derivedSubquery(SemiJoinFinder.ALIAS, text, aliases), analyzer);
  }
}
