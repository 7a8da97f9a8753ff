package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.rewriter.parse.QueryParser;
import dev.trickle.rewriter.parse.Relation;
import dev.trickle.rewriter.parse.RelationColumn;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.LongValue;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;
import net.sf.jsqlparser.statement.select.AllColumns;
import net.sf.jsqlparser.statement.select.AllTableColumns;
import net.sf.jsqlparser.statement.select.FromItem;
import net.sf.jsqlparser.statement.select.GroupByElement;
import net.sf.jsqlparser.statement.select.Join;
import net.sf.jsqlparser.statement.select.ParenthesedSelect;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.SelectItem;
import net.sf.jsqlparser.statement.select.SetOperationList;

/**
 * Pass 1 of the compiler: parses a defining query, resolves its relations against the catalog,
 * expands {@code *}, and checks that every construct has a differential rule. The result is a
 * {@link QueryBlock}; anything without a rule is reported with its position.
 */
final class BlockAnalyzer {
  private final String query;
  private final CatalogLookup catalog;
  private final Map<String, Relation> localRelations;
  private final DerivedFactory derivedFactory;
  private final CommonTableExpressions commonTableExpressions = new CommonTableExpressions();

  /** Compiles a subquery, CTE body or view definition into a derived input. */
  @FunctionalInterface
  interface DerivedFactory {
    /**
     * @param subquery the SELECT text
     * @param columnAliases names given to its columns (e.g. {@code AS s(a, b)}), or empty
     */
    Derived create(String subquery, List<String> columnAliases)
        throws QueryException, UnsupportedQueryException;
  }

  BlockAnalyzer(String query, CatalogLookup catalog) {
    this(query, catalog, Map.of(), null);
  }

  /**
   * @param localRelations relations the query defines itself (a recursive CTE), by folded name;
   *     they shadow catalog relations of the same unqualified name
   * @param derivedFactory compiles derived inputs, or null when none are allowed
   */
  BlockAnalyzer(
      String query,
      CatalogLookup catalog,
      Map<String, Relation> localRelations,
      DerivedFactory derivedFactory) {
    this.query = query;
    this.catalog = catalog;
    this.localRelations = localRelations;
    this.derivedFactory = derivedFactory;
  }

  /** Analyzes one SELECT block of the query (used for the branches of a recursive CTE). */
  QueryBlock analyzePlain(PlainSelect plain)
      throws QueryException, UnsupportedQueryException {
    if (plain.getWithItemsList() != null && !plain.getWithItemsList().isEmpty()) {
      boolean recursive = plain.getWithItemsList().stream().anyMatch(w -> w.isRecursive());
      if (recursive || derivedFactory == null) {
        throw recursive
            ? unsupported("WITH RECURSIVE in this position", "RECURSIVE")
            : unsupported("common table expression (WITH)", "WITH");
      }
      commonTableExpressions.define(plain.getWithItemsList());
    }
    if (plain.getLimit() != null || plain.getOffset() != null || plain.getFetch() != null) {
      throw unsupported("LIMIT/OFFSET/FETCH", plain.getLimit() != null ? "LIMIT" : "OFFSET");
    }
    List<String> distinctOn = null;
    if (plain.getDistinct() != null && plain.getDistinct().getOnSelectItems() != null) {
      distinctOn = plain.getDistinct().getOnSelectItems().stream().map(i -> i.getExpression().toString()).toList();
    }
    List<Input> inputs = new ArrayList<>();
    inputs.add(plain.getFromItem() == null
        ? ConstantInputs.noFrom(0)
        : input(0, plain.getFromItem(), Input.JoinType.FIRST, null));
    List<Join> joins = plain.getJoins() == null ? List.of() : plain.getJoins();
    QueryBlock.Lateral lateral = null;
    if (joins.size() == 1
        && joins.get(0).getRightItem() instanceof net.sf.jsqlparser.statement.select.LateralSubSelect sub
        && !joins.get(0).isLeft()) {
      lateral = lateral(sub, inputs.get(0));
      joins = List.of();
    }
    for (int i = 0; i < joins.size(); i++) {
      Join join = joins.get(i);
      Input.JoinType type = JoinKinds.of(join, i == joins.size() - 1, joins.size(), this);
      String on = join.getOnExpressions().isEmpty() ? null : join.getOnExpression().toString();
      if (on != null) {
        check(join.getOnExpression(), false);
      }
      inputs.add(input(i + 1, join.getRightItem(), type, on));
    }
    WholeRowReferences.refuse(plain, inputs, catalog, query);
    List<String> outputNames = new ArrayList<>();
    List<Expression> outputs = expandOutputs(plain.getSelectItems(), inputs, outputNames);
    if (inputs.get(1 < inputs.size() ? 1 : 0).join() == Input.JoinType.RIGHT_SWAPPED) {
      Input left = inputs.get(0);
      Input right = inputs.get(1);
      inputs.set(0, right.as(0, Input.JoinType.FIRST, null));
      inputs.set(1, left.as(1, Input.JoinType.LEFT, right.on()));
    }
    List<SemiJoin> semiJoins = List.of();
    Expression where = plain.getWhere();
    if (where != null) {
      SemiJoinFinder.Split split = SemiJoinFinder.split(where, new SemiJoinResolver(this, catalog, inputs), inputs);
      semiJoins = split.semiJoins();
      where = split.where();
      for (Expression conjunct : split.others()) {
        check(conjunct, false);
      }
      if (!semiJoins.isEmpty()
          && inputs.stream().anyMatch(i -> i.join() == Input.JoinType.LEFT || i.join() == Input.JoinType.FULL)) {
        throw unsupported("[NOT] EXISTS / IN subquery together with an outer join", "EXISTS");
      }
    }
    boolean aggregates = false;
    windows.clear();
    windowSelect = plain;
    for (Expression output : outputs) {
      aggregates |= check(output, true, true);
    }
    if (plain.getHaving() != null) {
      aggregates |= check(plain.getHaving(), true);
    }
    List<Expression> groupBy = groupBy(plain, outputs);
    QueryBlock.Partitioning partitioning = null;
    if (lateral != null) {
      if (!windows.isEmpty() || distinctOn != null || aggregates || !groupBy.isEmpty() || !semiJoins.isEmpty()) {
        throw unsupported("LATERAL subquery combined with grouping, windows or semi-joins", "LATERAL");
      }
      Input outer = inputs.get(0);
      List<String> keys = outer.relation().primaryKey().stream()
          .map(k -> Sql.identifier(outer.alias()) + "." + Sql.identifier(k)).toList();
      return new QueryBlock(List.copyOf(inputs), where, outputs, List.copyOf(outputNames),
          List.of(), null, false, List.of(), new QueryBlock.Partitioning(keys, "LATERAL subquery", lateral));
    }
    if (!windows.isEmpty() || distinctOn != null) {
      if (aggregates || !groupBy.isEmpty() || (distinctOn != null && !windows.isEmpty())) {
        throw unsupported("window function or DISTINCT ON over grouped rows", "OVER");
      }
      if (distinctOn == null && plain.getDistinct() != null) {
        throw unsupported("DISTINCT over window functions in this position", "DISTINCT");
      }
      partitioning =
          distinctOn != null
              ? new QueryBlock.Partitioning(distinctOn, "DISTINCT ON")
              : new QueryBlock.Partitioning(commonPartition(), "window functions");
      return new QueryBlock(List.copyOf(inputs), where, outputs, List.copyOf(outputNames),
          List.of(), null, false, semiJoins, partitioning);
    }
    boolean distinct = plain.getDistinct() != null;
    if (distinct && (aggregates || !groupBy.isEmpty())) {
      throw unsupported("DISTINCT together with GROUP BY or aggregates", "DISTINCT");
    }
    if (distinct) {
      groupBy = outputs;
    }
    return new QueryBlock(
        List.copyOf(inputs),
        where,
        outputs,
        List.copyOf(outputNames),
        groupBy,
        plain.getHaving(),
        aggregates || !groupBy.isEmpty(),
        semiJoins,
        null);
  }

  private QueryBlock.Lateral lateral(net.sf.jsqlparser.statement.select.LateralSubSelect sub, Input outer)
      throws QueryException, UnsupportedQueryException {
    if (!(sub.getSelect() instanceof PlainSelect inner)
        || !(inner.getFromItem() instanceof Table)
        || (inner.getJoins() != null && !inner.getJoins().isEmpty())
        || outer.derived() != null
        || outer.relation().primaryKey().isEmpty()) {
      throw unsupported("LATERAL subquery that is not over one table, after one table with a primary key", "LATERAL");
    }
    Input table = input(-1, inner.getFromItem(), Input.JoinType.FIRST, null);
    if (table.derived() != null) {
      throw unsupported("LATERAL subquery over a view or CTE", "LATERAL");
    }
    if (inner.getWhere() != null) {
      check(inner.getWhere(), false);
    }
    return new QueryBlock.Lateral(table, inner.getWhere() == null ? "TRUE" : inner.getWhere().toString());
  }

  /** The partition keys every window of the block shares (a change touches those partitions). */
  private List<String> commonPartition() {
    List<String> common = new ArrayList<>(windows.get(0));
    for (List<String> partition : windows) {
      common.retainAll(partition);
    }
    return common;
  }

  /** Defines a block's non-recursive CTEs, as analyzing it would, so {@link #input} reads them. */
  void define(List<net.sf.jsqlparser.statement.select.WithItem<?>> withItems) {
    if (withItems != null && !withItems.isEmpty()) {
      commonTableExpressions.define(withItems);
    }
  }

  /** True when the block defines CTE {@code name} (folded). */
  boolean definesCte(String name) {
    return commonTableExpressions.defines(name);
  }

  /** True when {@code name} is a relation the query defines itself (a recursive CTE). */
  boolean definesLocal(String name) {
    return localRelations.containsKey(name);
  }

  /** True when this analyzer compiles derived inputs (subqueries, views, CTEs). */
  boolean compilesDerived() {
    return derivedFactory != null;
  }

  /** {@code subquery} compiled as a derived input named {@code alias}, with the block's CTEs. */
  Input derivedSubquery(String alias, String subquery, List<String> columnAliases)
      throws QueryException, UnsupportedQueryException {
    return derivedInput(-1, alias, commonTableExpressions.inContext(subquery), columnAliases,
        Input.JoinType.FIRST, null);
  }

  Input input(int index, FromItem item, Input.JoinType join, String on)
      throws QueryException, UnsupportedQueryException {
    if (item == null) {
      throw unsupported("query block without FROM", "SELECT");
    }
    if (item instanceof ParenthesedSelect subquery && derivedFactory != null) {
      if (subquery.getAlias() == null) {
        throw unsupported("subquery in FROM without an alias", "SELECT");
      }
      String alias = Names.fold(subquery.getAlias().getName());
      String body = commonTableExpressions.inContext(subquery.getSelect().toString());
      return derivedInput(index, alias, body, Names.aliasColumns(subquery.getAlias()), join, on);
    }
    if (item instanceof net.sf.jsqlparser.statement.select.ParenthesedFromItem parenthesed
        && parenthesed.getFromItem() instanceof net.sf.jsqlparser.statement.select.Values values
        && (parenthesed.getJoins() == null || parenthesed.getJoins().isEmpty())) {
      if (parenthesed.getAlias() == null) {
        throw unsupported("VALUES list in FROM without an alias", "VALUES");
      }
      if (join == Input.JoinType.LEFT || join == Input.JoinType.FULL
          || join == Input.JoinType.RIGHT_SWAPPED) {
        throw unsupported("outer join to a VALUES list", "VALUES");
      }
      return ConstantInputs.values(index, Names.fold(parenthesed.getAlias().getName()),
          Names.aliasColumns(parenthesed.getAlias()), values, join, on);
    }
    if (item instanceof net.sf.jsqlparser.statement.select.TableFunction function && index > 0) {
      if (join == Input.JoinType.LEFT || join == Input.JoinType.FULL
          || join == Input.JoinType.RIGHT_SWAPPED) {
        throw unsupported("outer join to a set-returning function", function.toString());
      }
      String text = function.toString().replaceFirst("(?i)^\\s*LATERAL\\s+", "");
      net.sf.jsqlparser.expression.Alias alias = function.getAlias();
      String name = alias != null ? Names.fold(alias.getName()) : Names.fold(lastPart(function.getFunction().getName()));
      List<String> columns = Names.aliasColumns(alias);
      if (columns.isEmpty()) {
        columns = List.of(name);
      }
      if (catalog.isVolatile(Names.fold(lastPart(function.getFunction().getName())))) {
        throw unsupported("volatile function " + function.getFunction().getName() + "() in FROM", text);
      }
      List<RelationColumn> relationColumns = columns.stream().map(c -> new RelationColumn(c, "unknown", false)).toList();
      Relation relation = new Relation(0, null, name, Relation.Kind.OTHER, relationColumns, List.of(), text);
      return new Input(index, name, relation, join == Input.JoinType.INNER ? join : Input.JoinType.CROSS, on);
    }
    if (item instanceof net.sf.jsqlparser.statement.select.LateralSubSelect) {
      throw unsupported("LATERAL subquery in this position (it must follow one table with a primary key)", "LATERAL");
    }
    if (!(item instanceof Table table)) {
      String kind = item instanceof ParenthesedSelect ? "subquery in FROM" : "FROM item " + item;
      throw unsupported(kind, item.toString());
    }
    String schema = Names.fold(table.getSchemaName());
    String name = Names.fold(table.getName());
    String alias = table.getAlias() != null ? Names.fold(table.getAlias().getName()) : name;
    if (schema == null && commonTableExpressions.defines(name)) {
      List<String> columns = Names.aliasColumns(table.getAlias());
      return derivedInput(index, alias, commonTableExpressions.body(name),
          columns.isEmpty() ? commonTableExpressions.columns(name) : columns, join, on);
    }
    Relation local = schema == null ? localRelations.get(name) : null;
    Relation relation =
        local != null
            ? local
            : catalog
            .resolve(schema, name)
            .orElseThrow(
                () ->
                    new QueryException(
                        "42P01",
                        "relation "
                            + table.getFullyQualifiedName()
                            + " of the defining query does not exist"));
    if (relation.kind() == Relation.Kind.VIEW) {
      if (derivedFactory == null || relation.viewDefinition() == null) {
        throw unsupported("view " + relation.displayName() + " (reference its tables)", table.getName());
      }
      return derivedInput(index, alias, relation.viewDefinition(), Names.aliasColumns(table.getAlias()), join, on);
    }
    if (relation.kind() == Relation.Kind.OTHER) {
      throw unsupported(
          "relation " + relation.displayName() + " whose changes cannot be captured", table.getName());
    }
    return new Input(index, alias, relation, join, on);
  }

  private Input derivedInput(
      int index, String alias, String subquery, List<String> columnAliases, Input.JoinType join, String on)
      throws QueryException, UnsupportedQueryException {
    Derived derived = derivedFactory.create(subquery.strip().replaceAll(";+\\s*$", ""), columnAliases);
    List<RelationColumn> columns = new ArrayList<>();
    derived.columns().forEach(c -> columns.add(new RelationColumn(c, "unknown", false)));
    Relation relation =
        new Relation(derived.pseudoOid(), null, alias, Relation.Kind.TABLE, columns, List.of(), null);
    return new Input(index, alias, relation, join, on, derived);
  }

  private List<Expression> expandOutputs(
      List<SelectItem<?>> items, List<Input> inputs, List<String> names)
      throws UnsupportedQueryException {
    List<Expression> outputs = new ArrayList<>();
    for (SelectItem<?> item : items) {
      Expression e = item.getExpression();
      if (e instanceof AllTableColumns tableColumns) {
        String alias = Names.fold(tableColumns.getTable().getName());
        Input input = inputs.stream().filter(i -> i.alias().equals(alias)).findFirst().orElse(null);
        if (input == null) {
          throw unsupported("unknown table reference " + tableColumns, tableColumns.toString());
        }
        addColumns(outputs, input, names);
      } else if (e instanceof AllColumns) {
        for (Input input : inputs) {
          addColumns(outputs, input, names);
        }
      } else {
        outputs.add(e);
        names.add(nameOf(item));
      }
    }
    return outputs;
  }

  private static void addColumns(List<Expression> outputs, Input input, List<String> names) {
    for (RelationColumn c : input.relation().columns()) {
      outputs.add(new Column(new Table(Sql.identifier(input.alias())), Sql.identifier(c.name())));
      names.add(c.name());
    }
  }

  /** The name PostgreSQL gives an output: its alias, column name or function name. */
  static String nameOf(SelectItem<?> item) {
    if (item.getAlias() != null) {
      return Names.fold(item.getAlias().getName());
    }
    Expression e = item.getExpression();
    if (e instanceof Column c) {
      return Names.fold(c.getColumnName());
    }
    if (e instanceof Function f && f.getName() != null) {
      return Names.fold(lastPart(f.getName()));
    }
    if (e instanceof net.sf.jsqlparser.expression.CastExpression cast) {
      return cast.getColDataType().getDataType().toLowerCase(Locale.ROOT);
    }
    return "?column?";
  }

  private List<Expression> groupBy(PlainSelect plain, List<Expression> outputs)
      throws UnsupportedQueryException {
    GroupByElement group = plain.getGroupBy();
    if (group == null) {
      return List.of();
    }
    if (group.getGroupingSets() != null && !group.getGroupingSets().isEmpty()) {
      throw unsupported("GROUPING SETS / CUBE / ROLLUP", "GROUPING");
    }
    List<Expression> keys = new ArrayList<>();
    for (Expression e : group.getGroupByExpressionList()) {
      if (e instanceof LongValue ordinal) {
        int index = (int) ordinal.getValue() - 1;
        if (index < 0 || index >= outputs.size()) {
          throw unsupported("GROUP BY position " + ordinal + " out of range", "GROUP BY");
        }
        keys.add(outputs.get(index));
        continue;
      }
      Expression byAlias = outputByAlias(plain, e);
      keys.add(byAlias != null ? byAlias : e);
      check(e, false);
    }
    return keys;
  }

  private static Expression outputByAlias(PlainSelect plain, Expression e) {
    if (!(e instanceof Column column) || column.getTable() != null) {
      return null;
    }
    for (SelectItem<?> item : plain.getSelectItems()) {
      if (item.getAlias() != null
          && Names.fold(item.getAlias().getName()).equals(Names.fold(column.getColumnName()))) {
        return item.getExpression();
      }
    }
    return null;
  }

  /**
   * Checks one expression for constructs without a rule. Returns whether it contains an aggregate
   * (only allowed where {@code aggregatesAllowed}).
   */
  boolean check(Expression expression, boolean aggregatesAllowed)
      throws UnsupportedQueryException {
    return check(expression, aggregatesAllowed, false);
  }

  private boolean check(Expression expression, boolean aggregatesAllowed, boolean windowsAllowed)
      throws UnsupportedQueryException {
    ConstructFinder finder = new ConstructFinder(catalog, windowsAllowed ? this::window : null);
    expression.accept(finder, null);
    if (finder.problem() != null) {
      throw unsupported(finder.problem(), finder.problemText());
    }
    return finder.aggregates() > 0;
  }

  private final List<List<String>> windows = new ArrayList<>();
  private PlainSelect windowSelect;

  /** Records the partition keys of one window function of the block's outputs. */
  private void window(AnalyticExpression analytic) {
    net.sf.jsqlparser.expression.operators.relational.ExpressionList<?> partition =
        analytic.getPartitionExpressionList();
    if (partition == null && analytic.getWindowName() != null && windowSelect.getWindowDefinitions() != null) {
      for (var definition : windowSelect.getWindowDefinitions()) {
        if (analytic.getWindowName().equalsIgnoreCase(definition.getWindowName())) {
          partition = definition.getPartitionExpressionList();
        }
      }
    }
    List<String> keys = new ArrayList<>();
    if (partition != null) {
      partition.forEach(e -> keys.add(e.toString()));
    }
    windows.add(keys);
  }

  static String lastPart(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? name : name.substring(dot + 1);
  }

  UnsupportedQueryException unsupported(String construct, String text) {
    return new UnsupportedQueryException(construct, query, offsetOf(text));
  }

  private int offsetOf(String text) {
    return Positions.offsetOf(query, text);
  }
}
