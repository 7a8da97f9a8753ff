package dev.trickle.ivm;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Maintenance of {@code ORDER BY ... LIMIT n [OFFSET m]} and {@code FETCH FIRST n ROWS [WITH
 * TIES]} over any maintained query (the inner query, a derived input). The current top rows are
 * kept in a state table. Rule: a refresh first checks whether any changed row of the inner query
 * sorts at or before the last kept row (or the top is not full); if none does, the change cannot
 * affect the result and nothing else runs. Otherwise the top is recomputed from the inner query's
 * current rows (an ORDER BY ... LIMIT, index-assisted where the inner storage allows) and diffed
 * against the kept rows. Cost: one check over the changed rows, plus the top query when affected.
 */
final class TopKPlan implements MaintenancePlan {
  /** One ORDER BY key, as a column of the inner query. */
  record SortKey(String column, boolean descending, String nulls) {
    String sql(String alias) {
      return alias + "." + Sql.ident(column) + (descending ? " DESC" : " ASC") + (nulls == null ? "" : " " + nulls);
    }

    String reversed(String alias) {
      String flipped = nulls == null ? (descending ? "NULLS LAST" : "NULLS FIRST")
          : nulls.equals("NULLS FIRST") ? "NULLS LAST" : "NULLS FIRST";
      return alias + "." + Sql.ident(column) + (descending ? " ASC " : " DESC ") + flipped;
    }
  }

  private final Derived inner;
  private final List<SortKey> order;
  private final long count;
  private final String limitClause;
  private final StorageNames names;
  private final DeltaSink sink;

  /**
   * @param count n, the number of rows kept (before ties)
   * @param limitClause the query's LIMIT/OFFSET/FETCH text, reused verbatim
   */
  TopKPlan(Derived inner, List<SortKey> order, long count, String limitClause, StorageNames names, DeltaSink sink) {
    this.inner = inner;
    this.order = List.copyOf(order);
    this.count = count;
    this.limitClause = limitClause;
    this.names = names;
    this.sink = sink != null ? sink : new RowApplier(names, List.of(), List.of())::apply;
  }

  private String top() {
    List<String> keys = order.stream().map(k -> k.sql("x")).toList();
    return "SELECT " + Sql.columnList("x", names.columns()) + " FROM (" + inner.currentSql() + ") AS x ORDER BY "
        + String.join(", ", keys) + " " + limitClause;
  }

  /** The current rows: the kept top. */
  String currentSql() {
    return "SELECT " + Sql.identList(names.columns()) + " FROM " + names.state();
  }

  @Override
  public String strategy() {
    return "DIFFERENTIAL: TopK (" + limitClause.strip() + ") recomputed only when a change sorts into the top";
  }

  @Override
  public Set<Long> sourceOids() {
    return inner.plan().sourceOids();
  }

  @Override
  public List<Step> setup() {
    List<Step> steps = new ArrayList<>(inner.plan().setup());
    steps.add(Step.of("CREATE TABLE " + names.state() + " AS " + top() + " WITH NO DATA"));
    return steps;
  }

  @Override
  public List<Step> populate() {
    List<Step> steps = new ArrayList<>(inner.plan().populate());
    steps.add(Step.of("DELETE FROM " + names.state()));
    steps.add(Step.of("INSERT INTO " + names.state() + " " + top()));
    // Statistics now: the planner must see the state table's size to probe its index for a
    // small delta rather than scan it whole until autovacuum gets to it.
    steps.add(Step.of("ANALYZE " + names.state()));
    return steps;
  }

  @Override
  public List<Step> refresh(Set<Long> changedSources) {
    List<Step> steps = new ArrayList<>(inner.plan().refresh(changedSources));
    if (steps.isEmpty()) {
      return steps;
    }
    String check = names.temp("topk_check");
    String fresh = names.temp("topk_new");
    String last = "(SELECT t.* FROM " + names.state() + " AS t ORDER BY "
        + String.join(", ", order.stream().map(k -> k.reversed("t")).toList()) + " LIMIT 1)";
    steps.add(Step.fill(check, "SELECT"
        + " (SELECT count(*) FROM " + names.state() + ") < " + count
        + " OR EXISTS (SELECT 1 FROM " + inner.deltaTable() + " AS d, " + last + " AS t WHERE ("
        + after(0) + ") IS NOT TRUE) AS affected"));
    String gate = "(SELECT affected FROM " + check + ")";
    steps.add(Step.fill(fresh, "SELECT * FROM ("
        + top() + ") AS n WHERE " + gate));
    String columns = Sql.identList(names.columns());
    steps.addAll(sink.accept("SELECT " + columns + ", -1 AS " + Sql.WEIGHT + " FROM " + names.state() + " WHERE " + gate
        + " UNION ALL SELECT " + columns + ", 1 AS " + Sql.WEIGHT + " FROM " + fresh));
    steps.add(Step.of("DELETE FROM " + names.state() + " WHERE " + gate));
    steps.add(Step.of("INSERT INTO " + names.state() + " SELECT * FROM " + fresh));
    return steps;
  }

  /** {@code d} sorts strictly after {@code t}, comparing from key {@code i} on. */
  private String after(int i) {
    SortKey key = order.get(i);
    String d = "d." + Sql.ident(key.column());
    String t = "t." + Sql.ident(key.column());
    String beyond = d + (key.descending() ? " < " : " > ") + t;
    if (i == order.size() - 1) {
      return beyond;
    }
    return "(" + beyond + " OR (" + d + " = " + t + " AND " + after(i + 1) + "))";
  }

  @Override
  public List<Step> teardown() {
    List<Step> steps = new ArrayList<>(inner.plan().teardown());
    steps.add(Step.of("DROP TABLE IF EXISTS " + names.state()));
    return steps;
  }

  @Override
  public List<String> explain() {
    List<String> lines = new ArrayList<>();
    lines.add(strategy());
    inner.plan().explain().forEach(l -> lines.add("  inner: " + l));
    return lines;
  }
}
