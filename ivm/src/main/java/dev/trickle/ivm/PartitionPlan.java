package dev.trickle.ivm;

import dev.trickle.rewriter.parse.QueryException;
import dev.trickle.rewriter.parse.QueryParser;
import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.SelectItem;

/**
 * Maintenance of a block whose output rows depend on other rows of their partition: window
 * functions (ROW_NUMBER, RANK, LAG, aggregates OVER frames ...) and DISTINCT ON. The block's rows
 * are kept in a state table with their partition key; a refresh finds the partitions the changed
 * input rows belong to (before and after the change, so a row moving between partitions touches
 * both), recomputes exactly those partitions with the defining query restricted to their keys,
 * and emits old rows −1, new rows +1 (unchanged rows cancel). Cost: the rows of the affected
 * partitions. Without PARTITION BY the whole result is one partition and every change recomputes
 * it; {@link #strategy()} says so.
 */
final class PartitionPlan implements MaintenancePlan {
  private final QueryBlock block;
  private final StorageNames names;
  private final String query;
  private final List<String> keys;
  private final DeltaSink sink;
  private final boolean keysNeverNull;
  private final RowApplier applier;
  private final boolean root;

  /**
   * @param query the block's own SELECT text (recomputed per affected partition)
   * @param sink where the delta goes, or null to apply it to the storage table
   */
  PartitionPlan(QueryBlock block, String query, StorageNames names, DeltaSink sink) {
    this.block = block;
    this.names = names;
    this.query = query;
    this.keys = block.partitioning().keys();
    this.keysNeverNull = neverNull(block);
    // A window or DISTINCT ON keeps at most one output row per input row, so the inputs' keys stay
    // keys; a LATERAL subquery may derive several rows from one outer row, so it stays a bag.
    this.applier =
        block.partitioning().lateral() == null
            ? SpjPlan.keyOf(block, names)
            : new RowApplier(names, List.of(), List.of());
    this.sink = sink != null ? sink : applier::apply;
    this.root = sink == null;
  }

  /** True when every partition key is a NOT NULL column of an input that is never padded. */
  private static boolean neverNull(QueryBlock block) {
    for (String key : block.partitioning().keys()) {
      net.sf.jsqlparser.expression.Expression e;
      try {
        e = net.sf.jsqlparser.parser.CCJSqlParserUtil.parseExpression(key);
      } catch (net.sf.jsqlparser.JSQLParserException ex) {
        return false;
      }
      if (!(e instanceof net.sf.jsqlparser.schema.Column c)) {
        return false;
      }
      String column = Names.fold(c.getColumnName());
      String table = c.getTable() == null || c.getTable().getName() == null ? null : Names.fold(c.getTable().getName());
      List<Input> owners = block.inputs().stream()
          .filter(i -> table != null ? i.alias().equals(table) : i.relation().column(column) != null)
          .toList();
      if (owners.size() != 1 || !block.neverNull(owners.get(0), column)) {
        return false;
      }
    }
    return true;
  }

  private List<String> keyColumns() {
    List<String> columns = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      columns.add("__pgt_k" + i);
    }
    return columns;
  }

  /** The block's query with the partition keys as leading columns, optionally restricted. */
  private String keyed(String restriction) {
    try {
      PlainSelect plain = (PlainSelect) DeltaCompiler.unwrap(QueryParser.parseSelect(query));
      List<SelectItem<?>> items = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        items.add(SelectItem.from(CCJSqlParserUtil.parseExpression(keys.get(i)),
            new net.sf.jsqlparser.expression.Alias(Sql.identifier("__pgt_k" + i))));
      }
      for (int i = 0; i < plain.getSelectItems().size(); i++) {
        SelectItem<?> item = plain.getSelectItems().get(i);
        items.add(item);
      }
      plain.setSelectItems(items);
      if (restriction != null) {
        plain.setWhere(CCJSqlParserUtil.parseCondExpression(
            plain.getWhere() == null ? restriction : "(" + plain.getWhere() + ") AND " + restriction));
      }
      plain.setOrderByElements(plain.getDistinct() != null && plain.getDistinct().getOnSelectItems() != null
          ? plain.getOrderByElements() : null);
      return "SELECT * FROM (" + plain + ") AS q(" + Sql.identifiers(allColumns()) + ")";
    } catch (QueryException | net.sf.jsqlparser.JSQLParserException e) {
      throw new IllegalStateException("cannot restrict the partitioned query: " + e.getMessage(), e);
    }
  }

  private List<String> allColumns() {
    List<String> columns = new ArrayList<>(keyColumns());
    columns.addAll(names.columns());
    return columns;
  }

  private String matchAffected(String affected, String alias) {
    return inAffected(affected, KeyMatch.columns(alias, keyColumns()));
  }

  /**
   * {@code expressions} are the keys of an affected partition. With keys that are never NULL this
   * is a row IN subquery, which PostgreSQL plans as a semi-join probing an index on the keys;
   * otherwise a NULL-safe EXISTS.
   */
  private String inAffected(String affected, List<String> expressions) {
    if (keys.isEmpty()) {
      return "EXISTS (SELECT 1 FROM " + affected + ")";
    }
    if (keysNeverNull) {
      return "(" + String.join(", ", expressions) + ") IN (SELECT " + Sql.identifiers(keyColumns())
          + " FROM " + affected + ")";
    }
    return "EXISTS (SELECT 1 FROM " + affected + " AS a WHERE "
        + KeyMatch.of(KeyMatch.columns("a", keyColumns()), expressions, keys.stream().map(k -> true).toList())
        + ")";
  }

  /** The current rows, read from the state. */
  String currentSql() {
    return "SELECT " + Sql.identifiers(names.columns()) + " FROM " + names.state();
  }

  @Override
  public String strategy() {
    return "DIFFERENTIAL: " + block.partitioning().operator() + " recomputed per affected partition"
        + (keys.isEmpty() ? " (no PARTITION BY: the whole result is one partition)" : " of " + keys);
  }

  @Override
  public java.util.Map<Long, java.util.Set<List<String>>> deltaLookups() {
    return SemiJoinKeys.deltaLookups(block);
  }

  @Override
  public Set<Long> sourceOids() {
    Set<Long> oids = new java.util.LinkedHashSet<>(DerivedInputs.sources(block));
    if (block.partitioning().lateral() != null) {
      oids.add(block.partitioning().lateral().table().relation().oid());
    }
    return oids;
  }

  /**
   * For a LATERAL subquery: the keys of changed outer rows, and of current outer rows correlated
   * with changed rows of the subquery's table.
   */
  private List<String> lateralTerms(String keySelect, Set<Long> changed) {
    QueryBlock.Lateral lateral = block.partitioning().lateral();
    Input outer = block.inputs().get(0);
    List<String> terms = new ArrayList<>();
    if (changed.contains(outer.relation().oid())) {
      terms.add("SELECT " + keySelect + ", 1 AS " + DeltaNames.WEIGHT + " FROM " + outer.delta());
    }
    if (changed.contains(lateral.table().relation().oid())) {
      terms.add("SELECT " + keySelect + ", 1 AS " + DeltaNames.WEIGHT + " FROM " + outer.current()
          + " WHERE EXISTS (SELECT 1 FROM " + lateral.table().delta() + " WHERE " + lateral.correlation() + ")");
    }
    return terms;
  }

  @Override
  public List<Step> setup() {
    List<Step> steps = new ArrayList<>(DerivedInputs.setup(block));
    steps.add(Step.of("CREATE TABLE " + names.state() + " AS " + keyed(null) + " WITH NO DATA"));
    if (!keys.isEmpty()) {
      steps.add(Step.of("CREATE INDEX ON " + names.state() + " (" + Sql.identifiers(keyColumns()) + ")"));
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
    steps.add(Step.insertRows(names.state(), keyed(null)));
    // Statistics now: the planner must see the state table's size to probe its index for a
    // small delta rather than scan it whole until autovacuum gets to it.
    steps.add(Step.of("ANALYZE " + names.state()));
    return steps;
  }

  @Override
  public List<Step> refresh(Set<Long> changedSources) {
    List<String> keySelect = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      keySelect.add(keys.get(i) + " AS " + Sql.identifier("__pgt_k" + i));
    }
    List<String> terms =
        block.partitioning().lateral() != null
            ? lateralTerms(String.join(", ", keySelect), changedSources)
            : new DeltaTerms(block).terms(String.join(", ", keySelect), DerivedInputs.changedInputs(block, changedSources));
    if (terms.isEmpty()) {
      return List.of();
    }
    String affected = names.temp("affected");
    String old = names.temp("old");
    List<Step> steps = new ArrayList<>(DerivedInputs.refresh(block, changedSources));
    steps.add(Step.fill(affected, "SELECT DISTINCT "
        + (keys.isEmpty() ? "1 AS one" : Sql.identifiers(keyColumns())) + " FROM (" + String.join(" UNION ALL ", terms) + ") AS x"));
    steps.add(Step.fill(old, "SELECT s.* FROM "
        + names.state() + " AS s WHERE " + matchAffected(affected, "s")));
    steps.add(Step.of("DELETE FROM " + names.state() + " AS s WHERE " + matchAffected(affected, "s")));
    List<String> restrictedKeys = new ArrayList<>();
    for (String key : keys) {
      restrictedKeys.add("(" + key + ")");
    }
    String restriction = inAffected(affected, restrictedKeys);
    steps.add(Step.of("INSERT INTO " + names.state() + " " + keyed(restriction)));
    String columns = DeltaNames.columnList("s", names.columns());
    steps.addAll(sink.accept("SELECT " + columns + ", -1 AS " + DeltaNames.WEIGHT + " FROM " + old + " AS s UNION ALL SELECT "
        + columns + ", 1 AS " + DeltaNames.WEIGHT + " FROM " + names.state() + " AS s WHERE " + matchAffected(affected, "s")));
    return steps;
  }

  @Override
  public List<Step> teardown() {
    List<Step> steps = new ArrayList<>(DerivedInputs.teardown(block));
    steps.add(Step.of("DROP TABLE IF EXISTS " + names.state()));
    return steps;
  }

  @Override
  public List<String> explain() {
    return List.of(strategy(), "state: " + names.state() + " keyed by the partition");
  }
}
