package dev.trickle.ivm;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How one stream table is maintained differentially: the objects to create once, what to run after
 * every full population, and the statements of a differential refresh. Produced by {@link
 * DeltaCompiler} from the defining query; the driver executes it inside the refresh transaction,
 * after the delta tables of the changed sources ({@link DeltaNames#deltaTable}) exist.
 */
public interface MaintenancePlan {
  /** A one-line description of the strategy, for the history and {@code explain_st}. */
  String strategy();

  /** The oids of the captured relations whose changes drive this plan. */
  Set<Long> sourceOids();

  /** Created once after the storage table exists: state tables, indexes. */
  List<Step> setup();

  /** Run after the storage table was (re)populated from the defining query: rebuild state. */
  List<Step> populate();

  /**
   * Asked of the plan of the whole query: a SELECT of the storage table's rows (its columns, in
   * order) read from the state that {@link #populate()} has just rebuilt, when the plan keeps
   * everything its output is made of in state. A recompute can then rebuild the state first and
   * fill the storage from it, evaluating the query once instead of twice. Empty when the output
   * is not read from state alone.
   */
  default Optional<String> storageFromState() {
    return Optional.empty();
  }

  /**
   * The differential refresh for the sources that changed.
   *
   * @param changedSources oids of sources whose delta tables are non-empty
   */
  List<Step> refresh(Set<Long> changedSources);

  /** Drops what {@link #setup()} created outside the storage table. */
  List<Step> teardown();

  /** Human-readable lines: the operators, the rule used for each, the key. */
  List<String> explain();

  /**
   * Source oid → columns the delta probes by equality in the source's current state. Each should
   * lead an index, or every refresh scans the source.
   */
  default java.util.Map<Long, java.util.Set<String>> probedColumns() {
    return java.util.Map.of();
  }

  /**
   * Source oid → the column lists whose values the plan looks up by equality in the source's
   * delta table once per candidate row ({@link SemiJoinKeys}). The refresh indexes the delta table
   * on each, or every lookup scans it.
   */
  default java.util.Map<Long, java.util.Set<List<String>>> deltaLookups() {
    return java.util.Map.of();
  }

  /**
   * The changed groups, when concurrent refreshes of distinct groups compute exactly what they
   * would compute one at a time once each locks its groups (see {@link GroupLocking}); empty when
   * a refresh must run alone.
   */
  default Optional<GroupLocking> groupLocking() {
    return Optional.empty();
  }

  /**
   * The join key, when concurrent refreshes whose changed rows have no key value in common compute
   * exactly what they would compute one at a time once each locks its values (see {@link
   * KeyLocking}); empty when a refresh must run alone.
   */
  default Optional<KeyLocking> keyLocking() {
    return Optional.empty();
  }
}
