package dev.trickle.ivm;

import dev.trickle.sql.Sql;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Maintenance of {@code A UNION ALL B ...}: linear, so its delta is the concatenation of the
 * branches' deltas, each branch maintained by its own nested plan. Cost: the branches' costs.
 */
final class UnionAllPlan implements MaintenancePlan {
  private final List<Derived> branches;
  private final List<String> columns;
  private final DeltaSink sink;
  private final RowApplier applier;

  /**
   * @param sink where the delta goes, or null to apply it to the storage table as a bag
   */
  UnionAllPlan(List<Derived> branches, StorageNames names, DeltaSink sink) {
    this.branches = List.copyOf(branches);
    this.columns = names.columns();
    this.applier = new RowApplier(names, List.of(), List.of());
    this.sink = sink != null ? sink : applier::apply;
  }

  /** The current rows: the union of the branches' current rows. */
  String currentSql() {
    return branches.stream().map(b -> "SELECT * FROM (" + b.currentSql() + ") AS b")
        .collect(Collectors.joining(" UNION ALL "));
  }

  @Override
  public String strategy() {
    return "DIFFERENTIAL: UNION ALL of " + branches.size() + " maintained branches";
  }

  @Override
  public java.util.Map<Long, Set<List<String>>> deltaLookups() {
    java.util.Map<Long, Set<List<String>>> lookups = new java.util.LinkedHashMap<>();
    branches.forEach(b -> b.plan().deltaLookups().forEach(
        (oid, lists) -> lookups.computeIfAbsent(oid, o -> new LinkedHashSet<>()).addAll(lists)));
    return lookups;
  }

  @Override
  public Set<Long> sourceOids() {
    Set<Long> oids = new LinkedHashSet<>();
    branches.forEach(b -> oids.addAll(b.plan().sourceOids()));
    return oids;
  }

  @Override
  public List<Step> setup() {
    List<Step> steps = new ArrayList<>();
    branches.forEach(b -> steps.addAll(b.plan().setup()));
    return steps;
  }

  @Override
  public List<Step> populate() {
    List<Step> steps = new ArrayList<>();
    branches.forEach(b -> steps.addAll(b.plan().populate()));
    return steps;
  }

  @Override
  public List<Step> refresh(Set<Long> changedSources) {
    List<Step> steps = new ArrayList<>();
    List<String> deltas = new ArrayList<>();
    for (Derived branch : branches) {
      Set<Long> own = new LinkedHashSet<>(branch.plan().sourceOids());
      own.retainAll(changedSources);
      if (!own.isEmpty()) {
        steps.addAll(branch.plan().refresh(own));
        deltas.add("SELECT " + Sql.identifiers(columns) + ", " + DeltaNames.WEIGHT + " FROM " + branch.deltaTable());
      }
    }
    if (deltas.isEmpty()) {
      return List.of();
    }
    steps.addAll(sink.accept(String.join(" UNION ALL ", deltas)));
    return steps;
  }

  @Override
  public List<Step> teardown() {
    List<Step> steps = new ArrayList<>();
    branches.forEach(b -> steps.addAll(b.plan().teardown()));
    return steps;
  }

  @Override
  public List<String> explain() {
    List<String> lines = new ArrayList<>();
    lines.add(strategy());
    branches.forEach(b -> b.plan().explain().forEach(l -> lines.add("  branch: " + l)));
    return lines;
  }
}
