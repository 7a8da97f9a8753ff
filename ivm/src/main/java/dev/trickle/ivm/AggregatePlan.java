package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.AnalyticType;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.expression.ExpressionVisitorAdapter;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.operators.relational.ExpressionList;
import net.sf.jsqlparser.schema.Column;
import net.sf.jsqlparser.schema.Table;

/**
 * Maintenance of an aggregating block (GROUP BY, aggregates, HAVING, DISTINCT) over a
 * select-project-join input. Per-group state lives in a state table keyed by the group key (not in
 * the user's table, so {@code SELECT *} shows only the query's columns): the row count and, per
 * aggregate, what its rule needs ({@link AggregateCall}).
 *
 * <p>Rule: the input's delta ({@link DeltaTerms}) is summed per group into Δg; Δg is merged into
 * the state in one statement; groups whose MIN/MAX extremum left, or that carry non-invertible
 * aggregates, are recomputed from the current input restricted to those groups; groups whose count
 * reaches zero vanish. The visible rows of the affected groups before and after (through the
 * projection and HAVING) form the output delta. Cost: O(changed rows + affected groups), plus the
 * rows of rescanned groups.
 */
final class AggregatePlan implements MaintenancePlan {
  private final QueryBlock block;
  private final StorageNames names;
  private final List<AggregateCall> calls;
  private final List<String> keys;
  private final List<Boolean> keyNullable;
  private final List<String> projection;
  private final String having;
  private final RowApplier applier;
  private final DeltaSink sink;
  private final boolean root;

  /**
   * @param block the analyzed block, used for the delta and the state
   * @param projectionBlock a second analysis of the same query, whose expressions are rewritten
   *     to read the state
   */
  AggregatePlan(
      QueryBlock block,
      QueryBlock projectionBlock,
      StorageNames names,
      CatalogLookup catalog,
      String query,
      DeltaSink sink)
      throws UnsupportedQueryException {
    this.block = block;
    this.names = names;
    Map<String, AggregateCall> byText = new LinkedHashMap<>();
    List<Expression> found = new ArrayList<>();
    for (Expression e : block.outputs()) {
      collect(e, catalog, found);
    }
    if (block.having() != null) {
      collect(block.having(), catalog, found);
    }
    for (Expression f : found) {
      byText.computeIfAbsent(f.toString(), t -> f instanceof Function function
          ? AggregateCall.of(byText.size(), function) : AggregateCall.recomputed(byText.size(), t));
    }
    this.calls = List.copyOf(byText.values());
    this.keys = block.groupBy().stream().map(Object::toString).toList();
    List<Boolean> nullable = new ArrayList<>();
    for (Expression key : block.groupBy()) {
      nullable.add(!neverNull(key));
    }
    this.keyNullable = List.copyOf(nullable);
    ProjectionRewriter rewriter = new ProjectionRewriter(catalog, byText, query);
    List<String> projected = new ArrayList<>();
    for (Expression e : projectionBlock.outputs()) {
      projected.add(rewriter.rewrite(e));
    }
    this.projection = List.copyOf(projected);
    this.having = projectionBlock.having() == null ? null : rewriter.rewrite(projectionBlock.having());
    this.applier = outputKey();
    this.sink = sink != null ? sink : applier::apply;
    this.root = sink == null;
  }

  /** True when the block has no GROUP BY: one state row, so at most one visible row. */
  boolean atMostOneRow() {
    return keys.isEmpty();
  }

  /** The current visible rows, read from the state: the parent's view of a derived aggregate. */
  String currentSql() {
    List<String> select = new ArrayList<>();
    for (int i = 0; i < projection.size(); i++) {
      select.add(projection.get(i) + " AS " + Sql.identifier(names.columns().get(i)));
    }
    return "SELECT " + String.join(", ", select) + " FROM " + names.state() + " AS s"
        + (having == null ? "" : " WHERE " + having);
  }

  /** A root aggregate's visible rows are its state's, through the projection and HAVING. */
  @Override
  public Optional<String> storageFromState() {
    return root ? Optional.of(currentSql()) : Optional.empty();
  }

  /** The aggregate calls of {@code e}: plain calls, and calls with FILTER (recomputed per group). */
  private static void collect(Expression e, CatalogLookup catalog, List<Expression> found) {
    e.accept(
        new ExpressionVisitorAdapter<Void>() {
          @Override
          public <S> Void visit(Function f, S context) {
            if (f.getName() != null && catalog.isAggregate(Names.fold(BlockAnalyzer.lastPart(f.getName())))) {
              found.add(f);
              return null;
            }
            return super.visit(f, context);
          }

          @Override
          public <S> Void visit(AnalyticExpression a, S context) {
            if (filtered(a, catalog)) {
              found.add(a);
            }
            return null;
          }
        },
        null);
  }

  /** True for an aggregate call with FILTER and no OVER ({@code array_agg(x) FILTER (WHERE p)}). */
  private static boolean filtered(AnalyticExpression a, CatalogLookup catalog) {
    return a.getType() == AnalyticType.FILTER_ONLY && a.getName() != null
        && catalog.isAggregate(Names.fold(BlockAnalyzer.lastPart(a.getName())));
  }

  private boolean neverNull(Expression key) {
    if (!(key instanceof Column c)) {
      return false;
    }
    String column = Names.fold(c.getColumnName());
    if (c.getTable() != null && c.getTable().getName() != null) {
      Input input = block.input(Names.fold(c.getTable().getName()));
      return input != null && block.neverNull(input, column);
    }
    List<Input> owners = block.inputs().stream().filter(i -> i.relation().column(column) != null).toList();
    return owners.size() == 1 && block.neverNull(owners.get(0), column);
  }

  private RowApplier outputKey() {
    List<Integer> outputs = new ArrayList<>();
    List<Boolean> nullable = new ArrayList<>();
    for (int k = 0; k < keys.size(); k++) {
      int found = -1;
      for (int i = 0; i < block.outputs().size() && found < 0; i++) {
        if (block.outputs().get(i).toString().equals(keys.get(k))) {
          found = i;
        }
      }
      if (found < 0) {
        return new RowApplier(names, List.of(), List.of());
      }
      outputs.add(found);
      nullable.add(keyNullable.get(k));
    }
    return new RowApplier(names, outputs, nullable);
  }

  private List<String> keyColumns() {
    List<String> columns = new ArrayList<>();
    for (int k = 0; k < keys.size(); k++) {
      columns.add("k" + k);
    }
    return columns;
  }

  private String fromCurrent() {
    StringBuilder sql = new StringBuilder();
    for (Input input : block.inputs()) {
      switch (input.join()) {
        case FIRST -> sql.append(input.current());
        case CROSS -> sql.append(input.isFunction() ? ", " : " CROSS JOIN ").append(input.current());
        case INNER -> sql.append(" JOIN ").append(input.current()).append(" ON ").append(input.on());
        case LEFT -> sql.append(" LEFT JOIN ").append(input.current()).append(" ON ").append(input.on());
        case FULL -> sql.append(" FULL JOIN ").append(input.current()).append(" ON ").append(input.on());
      }
    }
    return sql.toString();
  }

  /** SELECT of the state's columns over the current input, with an optional extra condition. */
  private String stateQuery(String extraCondition, boolean rescanOnly) {
    List<String> select = new ArrayList<>();
    for (int k = 0; k < keys.size(); k++) {
      select.add(keys.get(k) + " AS " + Sql.identifier("k" + k));
    }
    if (!rescanOnly) {
      select.add("count(*) AS \"__pgt_count\"");
    }
    for (AggregateCall call : calls) {
      if (!rescanOnly || call.rescanCondition() != null) {
        if (!call.stateSelect().isEmpty()) {
          select.add(call.stateSelect());
        }
      }
    }
    List<String> where = new ArrayList<>();
    if (block.where() != null) {
      where.add("(" + block.where() + ")");
    }
    if (extraCondition != null) {
      where.add(extraCondition);
    }
    return "SELECT " + String.join(", ", select) + " FROM " + fromCurrent()
        + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
        + (keys.isEmpty() ? "" : " GROUP BY " + String.join(", ", keys));
  }

  private String match(String left, String right) {
    return KeyMatch.of(KeyMatch.columns(left, keyColumns()), KeyMatch.columns(right, keyColumns()), keyNullable);
  }

  @Override
  public String strategy() {
    Set<AggregateCall.Kind> kinds = calls.stream().map(AggregateCall::kind).collect(Collectors.toSet());
    String rule =
        kinds.contains(AggregateCall.Kind.RESCAN)
            ? "affected groups rescanned for non-invertible aggregates"
            : kinds.contains(AggregateCall.Kind.MIN) || kinds.contains(AggregateCall.Kind.MAX)
                ? "per-group state, MIN/MAX rescan only when an extremum leaves"
                : "per-group state, no rescans";
    return "DIFFERENTIAL: aggregate over select-project-join delta (" + rule + ")";
  }

  @Override
  public Set<Long> sourceOids() {
    return DerivedInputs.sources(block);
  }

  @Override
  public List<Step> setup() {
    List<Step> steps = new ArrayList<>(DerivedInputs.setup(block));
    steps.add(Step.of("CREATE TABLE " + names.state() + " AS " + stateQuery(null, false) + " WITH NO DATA"));
    if (!keys.isEmpty()) {
      steps.add(Step.of("CREATE UNIQUE INDEX ON " + names.state() + " (" + Sql.identifiers(keyColumns()) + ") NULLS NOT DISTINCT"));
    }
    if (root) {
      steps.addAll(applier.setup());
    }
    return steps;
  }

  @Override
  public List<Step> populate() {
    List<Step> steps = new ArrayList<>(DerivedInputs.populate(block));
    steps.add(Step.of("DELETE FROM " + names.state()));
    steps.add(Step.insertRows(names.state(), stateQuery(null, false)));
    // Statistics now: the planner must see the state table's size to probe its index for a
    // small delta rather than scan it whole until autovacuum gets to it.
    steps.add(Step.of("ANALYZE " + names.state()));
    return steps;
  }

  @Override
  public List<Step> refresh(Set<Long> changedSources) {
    List<String> selectList = new ArrayList<>();
    for (int k = 0; k < keys.size(); k++) {
      selectList.add(keys.get(k) + " AS " + Sql.identifier("k" + k));
    }
    for (AggregateCall call : calls) {
      if (call.argument() != null) {
        selectList.add(call.argument() + " AS " + Sql.identifier("x" + call.index()));
      }
    }
    // A recomputed call reads more than its argument (FILTER, ORDER BY, several arguments): its
    // group is affected by a change to any column, so the deltas are read whole.
    boolean wholeDelta = calls.stream().anyMatch(c -> c.kind() == AggregateCall.Kind.RESCAN);
    List<String> terms =
        (wholeDelta ? new DeltaTerms(block) : DeltaTerms.projected(block))
            .terms(String.join(", ", selectList), DerivedInputs.changedInputs(block, changedSources));
    if (terms.isEmpty()) {
      return List.of();
    }
    String d = names.temp("d");
    String old = names.temp("old");
    String fresh = names.temp("new");
    String rescan = names.temp("rescan");
    List<String> deltaColumns = new ArrayList<>(KeyMatch.columns("x", keyColumns()));
    deltaColumns.add("sum(x." + DeltaNames.WEIGHT + ") AS \"d_count\"");
    for (AggregateCall call : calls) {
      if (!call.deltaSelect().isEmpty()) {
        deltaColumns.add(call.deltaSelect());
      }
    }
    List<Step> steps = new ArrayList<>(DerivedInputs.refresh(block, changedSources));
    steps.add(Step.fill(d, "SELECT " + String.join(", ", deltaColumns)
        + " FROM (" + String.join(" UNION ALL ", terms) + ") AS x"
        + (keys.isEmpty() ? "" : " GROUP BY " + String.join(", ", KeyMatch.columns("x", keyColumns())))));
    steps.add(Step.fill(old, "SELECT s.* FROM " + names.state()
        + " AS s JOIN " + d + " AS d ON " + match("s", "d")));
    steps.add(Step.of(merge(d)));
    List<String> rescanConditions = calls.stream().map(AggregateCall::rescanCondition).filter(c -> c != null).toList();
    if (!rescanConditions.isEmpty()) {
      steps.add(Step.fill(rescan, "SELECT " + String.join(", ", KeyMatch.columns("d", keyColumns()))
          + (keys.isEmpty() ? "1 AS one" : "") + " FROM " + d + " AS d LEFT JOIN " + old + " AS o ON " + match("o", "d")
          + " WHERE " + String.join(" OR ", rescanConditions)));
      List<String> sets = calls.stream().map(AggregateCall::rescanSet).filter(s -> s != null).toList();
      String restrict = "EXISTS (SELECT 1 FROM " + rescan + " AS q WHERE "
          + KeyMatch.of(KeyMatch.columns("q", keyColumns()), keys.stream().map(k -> "(" + k + ")").toList(), keyNullable) + ")";
      steps.add(Step.of("UPDATE " + names.state() + " AS s SET " + String.join(", ", sets) + " FROM ("
          + stateQuery(restrict, true) + ") AS r WHERE " + match("s", "r")
          + (keys.isEmpty() ? " AND EXISTS (SELECT 1 FROM " + rescan + ")" : "")));
    }
    if (!keys.isEmpty()) {
      steps.add(Step.of("DELETE FROM " + names.state() + " AS s USING " + d + " AS d WHERE " + match("s", "d")
          + " AND s.\"__pgt_count\" = 0"));
    }
    steps.add(Step.fill(fresh, "SELECT s.* FROM " + names.state()
        + " AS s JOIN " + d + " AS d ON " + match("s", "d")));
    String visibleOld = visible(old, "-1");
    String visibleNew = visible(fresh, "1");
    steps.addAll(sink.accept(visibleOld + " UNION ALL " + visibleNew));
    return steps;
  }

  private String visible(String stateRows, String weight) {
    List<String> select = new ArrayList<>();
    for (int i = 0; i < projection.size(); i++) {
      select.add(projection.get(i) + " AS " + Sql.identifier(names.columns().get(i)));
    }
    return "SELECT " + String.join(", ", select) + ", " + weight + " AS " + DeltaNames.WEIGHT + " FROM " + stateRows
        + " AS s" + (having == null ? "" : " WHERE " + having);
  }

  private String merge(String d) {
    List<String> sets = new ArrayList<>();
    sets.add("\"__pgt_count\" = s.\"__pgt_count\" + COALESCE(d.\"d_count\", 0)");
    List<String> insertColumns = new ArrayList<>(keyColumns().stream().map(Sql::identifier).toList());
    List<String> insertValues = new ArrayList<>(KeyMatch.columns("d", keyColumns()));
    insertColumns.add("\"__pgt_count\"");
    insertValues.add("COALESCE(d.\"d_count\", 0)");
    for (AggregateCall call : calls) {
      if (!call.mergeSet().isEmpty()) {
        sets.add(call.mergeSet());
      }
      String[] insert = call.mergeInsert();
      if (insert.length > 0) {
        insertColumns.add(insert[0]);
        insertValues.add(insert[1]);
      }
    }
    return "MERGE INTO " + names.state() + " AS s USING " + d + " AS d ON " + match("s", "d")
        + " WHEN MATCHED THEN UPDATE SET " + String.join(", ", sets)
        + " WHEN NOT MATCHED THEN INSERT (" + String.join(", ", insertColumns) + ") VALUES ("
        + String.join(", ", insertValues) + ")";
  }

  /**
   * The groups of Δg, for a root aggregate with a group key whose stream table rows are matched by
   * that key, over one relation read once: its Δg is the statement's own changes, and a group's
   * state and stream table row are touched only by maintenances that change that group.
   */
  @Override
  public Optional<GroupLocking> groupLocking() {
    boolean oneRelation =
        block.inputs().size() == 1 && !block.inputs().get(0).isFunction()
            && block.semiJoins().isEmpty() && block.derivedInputs().isEmpty();
    if (!root || keys.isEmpty() || !applier.keyed() || !oneRelation || sourceOids().size() != 1) {
      return Optional.empty();
    }
    return Optional.of(new GroupLocking(names.temp("d"), keyColumns()));
  }

  @Override
  public List<Step> teardown() {
    List<Step> steps = new ArrayList<>(DerivedInputs.teardown(block));
    steps.add(Step.of("DROP TABLE IF EXISTS " + names.state()));
    return steps;
  }

  @Override
  public java.util.Map<Long, java.util.Set<String>> probedColumns() {
    return ProbeKeys.of(block);
  }

  @Override
  public java.util.Map<Long, java.util.Set<List<String>>> deltaLookups() {
    return SemiJoinKeys.deltaLookups(block);
  }

  @Override
  public List<String> explain() {
    List<String> lines = new ArrayList<>();
    lines.add(strategy());
    lines.add("group key: " + (keys.isEmpty() ? "(none: one group)" : String.join(", ", keys)));
    for (AggregateCall call : calls) {
      lines.add("aggregate " + call.call() + ": " + call.kind());
    }
    lines.add(applier.keyed() ? "rows matched by key " + applier.keyNames() : "rows matched as a bag");
    return lines;
  }

  /** Rewrites output and HAVING expressions to read a state row {@code s}. */
  private final class ProjectionRewriter {
    private final CatalogLookup catalog;
    private final Map<String, AggregateCall> byText;
    private final String query;

    ProjectionRewriter(CatalogLookup catalog, Map<String, AggregateCall> byText, String query) {
      this.catalog = catalog;
      this.byText = byText;
      this.query = query;
    }

    String rewrite(Expression e) throws UnsupportedQueryException {
      for (int k = 0; k < keys.size(); k++) {
        if (e.toString().equals(keys.get(k))) {
          return "s." + Sql.identifier("k" + k);
        }
      }
      Map<String, String> placeholders = new LinkedHashMap<>();
      List<String> problems = new ArrayList<>();
      e.accept(
          new ExpressionVisitorAdapter<Void>() {
            @Override
            public <S> Void visit(Function f, S context) {
              if (f.getName() != null && catalog.isAggregate(Names.fold(BlockAnalyzer.lastPart(f.getName())))) {
                AggregateCall call = byText.get(f.toString());
                String placeholder = "__pgt_agg_" + call.index();
                placeholders.put(placeholder + "()", call.result());
                f.setName(placeholder);
                f.setParameters(new ExpressionList<>());
                f.setAllColumns(false);
                f.setDistinct(false);
                f.setOrderByElements(null);
                return null;
              }
              return super.visit(f, context);
            }

            @Override
            public <S> Void visit(AnalyticExpression a, S context) {
              if (filtered(a, catalog)) {
                placeholders.put(a.toString(), byText.get(a.toString()).result());
                return null;
              }
              return super.visit(a, context);
            }

            @Override
            public <S> Void visit(Column c, S context) {
              int k = keyOf(c);
              if (k < 0) {
                problems.add(c.toString());
              } else {
                c.setTable(new Table("s"));
                c.setColumnName(Sql.identifier("k" + k));
              }
              return null;
            }
          },
          null);
      if (!problems.isEmpty()) {
        throw new UnsupportedQueryException(
            "column " + problems.get(0) + " used outside an aggregate without being a GROUP BY expression",
            query, query.indexOf(problems.get(0)));
      }
      String sql = e.toString();
      for (String placeholder : placeholders.keySet().stream()
          .sorted(java.util.Comparator.comparingInt(String::length).reversed()).toList()) {
        sql = sql.replace(placeholder, placeholders.get(placeholder));
      }
      return sql;
    }

    private int keyOf(Column c) {
      String column = Names.fold(c.getColumnName());
      String table = c.getTable() == null || c.getTable().getName() == null ? null : Names.fold(c.getTable().getName());
      for (int k = 0; k < block.groupBy().size(); k++) {
        if (block.groupBy().get(k) instanceof Column key && Names.fold(key.getColumnName()).equals(column)) {
          String keyTable = key.getTable() == null || key.getTable().getName() == null ? null : Names.fold(key.getTable().getName());
          if (table == null || keyTable == null || table.equals(keyTable)) {
            return k;
          }
        }
      }
      return -1;
    }
  }
}
