package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.sf.jsqlparser.expression.Expression;
import net.sf.jsqlparser.schema.Column;

/**
 * Maintenance of a select-project-join block (scans, filters, projections, inner/cross joins and
 * one trailing LEFT JOIN): the block's delta ({@link DeltaTerms}) is consolidated and applied by
 * {@link RowApplier}. No state besides the storage table. The rows are matched by key when the
 * output carries the primary key of every input, otherwise as a bag.
 */
final class SpjPlan implements MaintenancePlan {
  private final QueryBlock block;
  private final StorageNames names;
  private final RowApplier applier;
  private final DeltaSink sink;
  private final boolean root;

  /**
   * @param sink where the delta goes, or null to apply it to the storage table
   */
  SpjPlan(QueryBlock block, StorageNames names, DeltaSink sink) {
    this.block = block;
    this.names = names;
    this.applier = keyOf(block, names);
    this.sink = sink != null ? sink : applier::apply;
    this.root = sink == null;
  }

  static RowApplier keyOf(QueryBlock block, StorageNames names) {
    List<Integer> keys = new ArrayList<>();
    List<Boolean> nullable = new ArrayList<>();
    for (Input input : block.inputs()) {
      if (input.derived() != null || input.relation().primaryKey().isEmpty()) {
        return RowApplier.bag(names, notNullOutputs(block, names));
      }
      for (String pk : input.relation().primaryKey()) {
        int index = outputOf(block, input, pk);
        if (index < 0 && !block.padded(input)) {
          index = equatedOutput(block, input, pk);
        }
        if (index < 0) {
          return RowApplier.bag(names, notNullOutputs(block, names));
        }
        keys.add(index);
        nullable.add(block.padded(input));
      }
    }
    return new RowApplier(names, keys, nullable);
  }

  /** The storage columns whose output is a NOT NULL column of an input that is never padded. */
  private static List<String> notNullOutputs(QueryBlock block, StorageNames names) {
    List<String> columns = new ArrayList<>();
    for (int i = 0; i < block.outputs().size() && i < names.columns().size(); i++) {
      if (block.outputs().get(i) instanceof Column c) {
        String column = Names.fold(c.getColumnName());
        for (Input input : block.inputs()) {
          if (input.derived() == null && refersTo(block, c, input, column) && block.neverNull(input, column)) {
            columns.add(names.columns().get(i));
            break;
          }
        }
      }
    }
    return columns;
  }

  /**
   * The output position of a column that an inner join or WHERE equality makes equal to {@code
   * input.column} (so it determines it), or -1: in {@code o JOIN c ON c.id = o.customer_id},
   * {@code o.customer_id} stands for {@code c.id} in the key.
   */
  private static int equatedOutput(QueryBlock block, Input input, String column) {
    for (Column[] pair : ProbeKeys.equalities(block)) {
      for (int side = 0; side < 2; side++) {
        Column mine = pair[side];
        Column other = pair[1 - side];
        if (refersTo(block, mine, input, column)) {
          for (Input candidate : block.inputs()) {
            if (candidate != input && !block.padded(candidate)
                && refersTo(block, other, candidate, Names.fold(other.getColumnName()))) {
              int index = outputOf(block, candidate, Names.fold(other.getColumnName()));
              if (index >= 0) {
                return index;
              }
            }
          }
        }
      }
    }
    return -1;
  }

  private static boolean refersTo(QueryBlock block, Column c, Input input, String column) {
    if (!Names.fold(c.getColumnName()).equals(column) || input.relation().column(column) == null) {
      return false;
    }
    String table = c.getTable() == null || c.getTable().getName() == null ? null : Names.fold(c.getTable().getName());
    return table != null
        ? input.alias().equals(table)
        : block.inputs().stream().filter(in -> in.relation().column(column) != null).count() == 1;
  }

  /** The output position that is exactly column {@code column} of {@code input}, or -1. */
  static int outputOf(QueryBlock block, Input input, String column) {
    for (int i = 0; i < block.outputs().size(); i++) {
      Expression e = block.outputs().get(i);
      if (e instanceof Column c && Names.fold(c.getColumnName()).equals(column)) {
        String table = c.getTable() == null ? null : Names.fold(c.getTable().getName());
        boolean unambiguous =
            block.inputs().stream().filter(in -> in.relation().column(column) != null).count() == 1;
        if (input.alias().equals(table) || (table == null && unambiguous)) {
          return i;
        }
      }
    }
    return -1;
  }

  @Override
  public String strategy() {
    return "DIFFERENTIAL: select-project-join delta"
        + (block.leftJoined() != null ? " with outer-join padding" : "")
        + (applier.keyed() ? ", rows matched by key " + applier.keyNames() : ", rows matched as a bag");
  }

  @Override
  public Set<Long> sourceOids() {
    return DerivedInputs.sources(block);
  }

  @Override
  public List<Step> setup() {
    List<Step> steps = new ArrayList<>(DerivedInputs.setup(block));
    if (root) {
      steps.addAll(applier.setup());
    }
    return steps;
  }

  @Override
  public List<Step> populate() {
    return DerivedInputs.populate(block);
  }

  @Override
  public List<Step> refresh(Set<Long> changedSources) {
    List<String> outputs = new ArrayList<>();
    for (int i = 0; i < block.outputs().size(); i++) {
      outputs.add(block.outputs().get(i) + " AS " + Sql.identifier(names.columns().get(i)));
    }
    List<String> terms =
        DeltaTerms.projected(block)
            .terms(String.join(", ", outputs), DerivedInputs.changedInputs(block, changedSources));
    if (terms.isEmpty()) {
      return List.of();
    }
    List<Step> steps = new ArrayList<>(DerivedInputs.refresh(block, changedSources));
    steps.addAll(sink.accept(String.join(" UNION ALL ", terms)));
    return steps;
  }

  @Override
  public List<Step> teardown() {
    return DerivedInputs.teardown(block);
  }

  /** The join key of a root block of inner joins through one key ({@link JoinKeyClass}). */
  @Override
  public java.util.Optional<KeyLocking> keyLocking() {
    if (!root || !sourceOids().equals(
        block.inputs().stream().map(i -> i.relation().oid()).collect(Collectors.toSet()))) {
      return java.util.Optional.empty();
    }
    return JoinKeyClass.of(block, applier.keyed());
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
    lines.add(
        "inputs: "
            + block.inputs().stream()
                .map(i -> i.join() + " " + i.relation().displayName() + " AS " + i.alias())
                .collect(Collectors.joining(", ")));
    lines.add("rule: ΔQ = Σ over changed inputs C_k of Q(C₁¹…C_{k−1}¹, ΔC_k, C_{k+1}⁰…C_m⁰) (¹ current, ⁰ before the changes)");
    return lines;
  }
}
