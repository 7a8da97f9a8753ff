package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Maintenance of {@code ORDER BY ... LIMIT n [OFFSET m]} and {@code FETCH FIRST n ROWS [WITH
 * TIES]} over any maintained query (the inner query, a derived input), as the whole defining
 * query: the storage table holds exactly the current top rows, so it is the plan's state. Rule: a
 * refresh first checks whether any changed row of the inner query sorts at or before the last kept
 * row (or the top is not full); if none does, the change cannot affect the result and nothing else
 * runs. Otherwise the top is recomputed from the inner query's current rows (an ORDER BY ...
 * LIMIT, index-assisted where the inner storage allows) and diffed against the kept rows, all in
 * the statement that fills the storage's delta (the check guards both halves). Cost: one check
 * over the changed rows, plus the top query when affected.
 *
 * <p>A top that is not full holds every row of the inner query (fewer than n exist), so while it
 * stays within n rows after the change (kept rows plus the delta's net weight at most n) the new
 * top is the old one plus the inner delta, applied as it is, and nothing is recomputed. Not with
 * an OFFSET, whose top is not the inner query's first rows.
 */
final class TopKPlan implements MaintenancePlan {
  /** One ORDER BY key, as a column of the inner query. */
  record SortKey(String column, boolean descending, String nulls) {
    String sql(String alias) {
      return alias + "." + Sql.identifier(column) + (descending ? " DESC" : " ASC") + (nulls == null ? "" : " " + nulls);
    }

    String reversed(String alias) {
      String flipped = nulls == null ? (descending ? "NULLS LAST" : "NULLS FIRST")
          : nulls.equals("NULLS FIRST") ? "NULLS LAST" : "NULLS FIRST";
      return alias + "." + Sql.identifier(column) + (descending ? " ASC " : " DESC ") + flipped;
    }
  }

  private final Derived inner;
  private final List<SortKey> order;
  private final long count;
  private final String limitClause;
  private final boolean offset;
  private final StorageNames names;

  /**
   * @param count n, the number of rows kept (before ties)
   * @param limitClause the query's LIMIT/OFFSET/FETCH text, reused verbatim
   * @param offset whether the query skips rows (OFFSET)
   * @param names the stream table's storage, which holds the top
   */
  TopKPlan(Derived inner, List<SortKey> order, long count, String limitClause, boolean offset,
      StorageNames names) {
    this.inner = inner;
    this.order = List.copyOf(order);
    this.count = count;
    this.limitClause = limitClause;
    this.offset = offset;
    this.names = names;
  }

  private String top() {
    List<String> keys = order.stream().map(k -> k.sql("x")).toList();
    return "SELECT " + DeltaNames.columnList("x", names.columns()) + " FROM (" + inner.currentSql() + ") AS x ORDER BY "
        + String.join(", ", keys) + " " + limitClause;
  }

  @Override
  public String strategy() {
    return "DIFFERENTIAL: TopK (" + limitClause.strip() + ") recomputed only when a change sorts into the top";
  }

  @Override
  public java.util.Map<Long, java.util.Set<List<String>>> deltaLookups() {
    return inner.plan().deltaLookups();
  }

  @Override
  public Set<Long> sourceOids() {
    return inner.plan().sourceOids();
  }

  @Override
  public List<Step> setup() {
    return inner.plan().setup();
  }

  @Override
  public List<Step> populate() {
    return inner.plan().populate();
  }

  /**
   * The top of an inner aggregate is read from the aggregate's state, as a refresh that recomputes
   * the top reads it; over any other inner query that would evaluate the query itself.
   */
  @Override
  public Optional<String> storageFromState() {
    return inner.plan() instanceof AggregatePlan
        ? Optional.of(top())
        : Optional.empty();
  }

  @Override
  public List<Step> refresh(Set<Long> changedSources) {
    List<Step> steps = new ArrayList<>(inner.plan().refresh(changedSources));
    if (steps.isEmpty()) {
      return steps;
    }
    String last = "(SELECT t.* FROM " + names.storage() + " AS t ORDER BY "
        + String.join(", ", order.stream().map(k -> k.reversed("t")).toList()) + " LIMIT 1)";
    String kept = "(SELECT count(*) FROM " + names.storage() + ")";
    // Uncorrelated, so the server evaluates each once per use and skips what it guards when false.
    String affected = "(" + kept + " < " + count
        + " OR EXISTS (SELECT 1 FROM " + inner.deltaTable() + " AS d, " + last + " AS t WHERE ("
        + after(0) + ") IS NOT TRUE))";
    String within = offset ? "false"
        : "(" + kept + " < " + count + " AND " + kept + " + (SELECT COALESCE(sum(d." + DeltaNames.WEIGHT
            + "), 0) FROM " + inner.deltaTable() + " AS d) <= " + count + ")";
    String recompute = "NOT " + within + " AND " + affected;
    String columns = Sql.identifiers(names.columns());
    steps.addAll(new RowApplier(names, List.of(), List.of()).apply("SELECT " + columns + ", -1 AS " + DeltaNames.WEIGHT
        + " FROM " + names.storage() + " WHERE " + recompute
        + " UNION ALL SELECT " + columns + ", 1 AS " + DeltaNames.WEIGHT + " FROM (" + top() + ") AS n WHERE " + recompute
        + " UNION ALL SELECT " + DeltaNames.columnList("d", names.columns()) + ", d." + DeltaNames.WEIGHT
        + " FROM " + inner.deltaTable() + " AS d WHERE " + within));
    return steps;
  }

  /** {@code d} sorts strictly after {@code t}, comparing from key {@code i} on. */
  private String after(int i) {
    SortKey key = order.get(i);
    String d = "d." + Sql.identifier(key.column());
    String t = "t." + Sql.identifier(key.column());
    String beyond = d + (key.descending() ? " < " : " > ") + t;
    if (i == order.size() - 1) {
      return beyond;
    }
    return "(" + beyond + " OR (" + d + " = " + t + " AND " + after(i + 1) + "))";
  }

  @Override
  public List<Step> teardown() {
    return inner.plan().teardown();
  }

  @Override
  public List<String> explain() {
    List<String> lines = new ArrayList<>();
    lines.add(strategy());
    lines.add("top is the storage table " + names.storage());
    inner.plan().explain().forEach(l -> lines.add("  inner: " + l));
    return lines;
  }
}
