package dev.trickle.refresh;

import dev.trickle.catalog.RefreshCosts;
import dev.trickle.catalog.RefreshMode;
import java.util.List;
import java.util.Optional;

/**
 * The decision of a refresh: a pure function from what the refresh has read to what it does next
 * and why. A refresh starts from what its first round trip read ({@link Facts#read}); when the
 * decision needs more (whether a FULL stream table's sources changed, what the delta fill consumed,
 * whether those changes make recomputing cheaper), it says so ({@link Step#CHECK_PENDING}, {@link
 * Step#FILL_DELTAS}, {@link Step#WEIGH_VOLUME}), the refresh reads it, adds it to the facts and
 * asks again, until the decision is one of the three actions: recompute, nothing, apply the
 * deltas. No database is needed to test it.
 *
 * <p>A batch is recomputed instead of applied, in this order of precedence: when most of a source
 * changed ({@link ChangeVolume}); else, once the stream table's own refreshes were measured, when
 * its learned costs predict the delta much slower than its last recompute ({@link LearnedCost});
 * else, before anything is learned, when the static estimate from the sources' sizes says so
 * ({@link RecomputeEstimate}, for large batches only). The learned costs replace the static
 * estimate rather than vote with it: they measure this query on this machine. None of the three
 * applies when the setting {@code pg_trickle.cost_based_recompute} is off ({@link
 * Step#READ_COST_SETTING}, read only when one of them would recompute).
 */
final class RefreshDecision {
  private RefreshDecision() {}

  /** What the refresh does next. */
  enum Step {
    /** Recompute the query (FULL, or the forced action). Final. */
    RECOMPUTE,
    /** Nothing to apply: only the frontier advances (NO_DATA). Final. */
    NOTHING,
    /** Apply the filled deltas with the differential program (DIFFERENTIAL). Final. */
    APPLY_DELTAS,
    /** Read whether the sources of a FULL stream table have consumable changes. */
    CHECK_PENDING,
    /** Fill the delta tables and read what each source consumed. */
    FILL_DELTAS,
    /** Weigh the consumed changes against the sources' sizes ({@link ChangeVolume}). */
    WEIGH_VOLUME,
    /**
     * Count the buffer rows the refresh would consume, before filling the delta tables, when the
     * learned costs may recompute ({@link LearnedCost#countBeforeFilling}).
     */
    COUNT_BATCH,
    /**
     * Read whether a refresh may recompute because recomputing is cheaper ({@link
     * CostBasedRecompute}).
     */
    READ_COST_SETTING
  }

  /**
   * A decision.
   *
   * @param step what to do next
   * @param action the action recorded in the history, for a final step (null otherwise)
   * @param reason why the refresh recomputes, or applies its deltas although predicted slow,
   *     recorded in the history; null otherwise
   */
  record Decision(Step step, RefreshAction action, String reason) {
    /** Whether the refresh acts now rather than reading more. */
    boolean isFinal() {
      return action != null;
    }

    private static Decision recompute(RefreshAction action, String reason) {
      return new Decision(Step.RECOMPUTE, action, reason);
    }

    private static Decision next(Step step) {
      return new Decision(step, null, null);
    }
  }

  /** An action required regardless of changes (create, alter: FULL or REINITIALIZE) and why. */
  record Forced(RefreshAction action, String reason) {}

  /**
   * What the changes weigh against the sources' sizes.
   *
   * @param mostlyChanged why recomputing is cheaper because most of a source changed, else empty
   * @param estimated why the static estimate finds recomputing cheaper, else empty (not asked
   *     when most of a source changed or the stream table's costs are learned)
   */
  record Volume(Optional<String> mostlyChanged, Optional<String> estimated) {
    static final Volume SMALL = new Volume(Optional.empty(), Optional.empty());
  }

  /**
   * What a refresh has read.
   *
   * @param forced an action required regardless of changes
   * @param populated whether the storage holds the query's result yet
   * @param frontierForEverySource whether every captured source has a stored frontier
   * @param mode the effective refresh mode
   * @param differentialRefused why the query cannot be maintained differentially, when it cannot
   * @param everySourceCaptured whether the changes of every source are captured
   * @param costs what the stream table's refreshes cost, as learned from them
   * @param pending whether a FULL stream table's sources have consumable changes, once read
   * @param changes what each source consumed, once the delta tables are filled
   * @param fillMillis how long filling them took (0 before)
   * @param volume the changes weighed against recomputing, once weighed
   * @param costBased whether recomputing because it is cheaper is allowed, once read
   * @param batch the buffer rows the refresh would consume from each source, once counted before
   *     the fill
   */
  record Facts(
      Optional<Forced> forced,
      boolean populated,
      boolean frontierForEverySource,
      RefreshMode mode,
      Optional<String> differentialRefused,
      boolean everySourceCaptured,
      RefreshCosts costs,
      Optional<Boolean> pending,
      Optional<List<SourceChanges>> changes,
      double fillMillis,
      Optional<Volume> volume,
      Optional<Boolean> costBased,
      Optional<List<SourceChanges>> batch) {
    /** What the first round trip read; nothing about the changes yet. */
    static Facts read(
        Optional<Forced> forced,
        boolean populated,
        boolean frontierForEverySource,
        RefreshMode mode,
        Optional<String> differentialRefused,
        boolean everySourceCaptured,
        RefreshCosts costs) {
      return new Facts(
          forced, populated, frontierForEverySource, mode, differentialRefused,
          everySourceCaptured, costs, Optional.empty(), Optional.empty(), 0, Optional.empty(),
          Optional.empty(), Optional.empty());
    }

    /**
     * Whether the stream table's own refreshes were measured, so they decide and the static
     * estimate is not read ({@link ChangeVolume#weigh}).
     */
    boolean learned() {
      return LearnedCost.learned(costs);
    }

    Facts withPending(boolean anyPending) {
      return new Facts(
          forced, populated, frontierForEverySource, mode, differentialRefused,
          everySourceCaptured, costs, Optional.of(anyPending), changes, fillMillis, volume,
          costBased, batch);
    }

    /** What the delta fill consumed, and the milliseconds it took. */
    Facts withChanges(List<SourceChanges> consumed, double filledInMillis) {
      return new Facts(
          forced, populated, frontierForEverySource, mode, differentialRefused,
          everySourceCaptured, costs, pending, Optional.of(List.copyOf(consumed)), filledInMillis,
          volume, costBased, batch);
    }

    Facts withVolume(Volume weighed) {
      return new Facts(
          forced, populated, frontierForEverySource, mode, differentialRefused,
          everySourceCaptured, costs, pending, changes, fillMillis, Optional.of(weighed),
          costBased, batch);
    }

    Facts withCostBased(boolean allowed) {
      return new Facts(
          forced, populated, frontierForEverySource, mode, differentialRefused,
          everySourceCaptured, costs, pending, changes, fillMillis, volume,
          Optional.of(allowed), batch);
    }

    Facts withBatch(List<SourceChanges> counted) {
      return new Facts(
          forced, populated, frontierForEverySource, mode, differentialRefused,
          everySourceCaptured, costs, pending, changes, fillMillis, volume, costBased,
          Optional.of(List.copyOf(counted)));
    }
  }

  /** The next step for {@code facts}. */
  static Decision decide(Facts facts) {
    if (facts.forced().isPresent()) {
      return Decision.recompute(facts.forced().get().action(), facts.forced().get().reason());
    }
    if (!facts.populated()) {
      return Decision.recompute(RefreshAction.FULL, "not populated");
    }
    if (!facts.frontierForEverySource()) {
      return Decision.recompute(RefreshAction.FULL, "no frontier recorded for a source");
    }
    if (facts.mode() == RefreshMode.IMMEDIATE) {
      // Its triggers keep it current inside every writing transaction; it consumes no buffer
      // (Prologue gives it no captured source), so there is no frontier to advance either.
      return nothing();
    }
    if (facts.mode() == RefreshMode.FULL) {
      return fullMode(facts);
    }
    if (facts.differentialRefused().isPresent()) {
      return Decision.recompute(
          RefreshAction.FULL,
          "differential maintenance not possible: " + facts.differentialRefused().get());
    }
    if (facts.changes().isEmpty()) {
      return beforeFilling(facts);
    }
    List<SourceChanges> changes = facts.changes().get();
    if (changes.stream().anyMatch(SourceChanges::truncated)) {
      return Decision.recompute(RefreshAction.FULL, "source truncated");
    }
    if (changes.stream().allMatch(change -> change.rows() == 0)) {
      return nothing();
    }
    if (facts.volume().isEmpty()) {
      return Decision.next(Step.WEIGH_VOLUME);
    }
    Volume volume = facts.volume().get();
    long rows = changedRows(changes);
    Optional<String> cheaper = volume.mostlyChanged().isPresent() ? volume.mostlyChanged()
        : !facts.learned() ? volume.estimated()
        : LearnedCost.recomputeBecause(facts.costs(), rows, facts.fillMillis());
    if (cheaper.isPresent()) {
      return recomputeIfAllowed(facts, cheaper.get(), applyDeltas(null));
    }
    return applyDeltas(
        facts.learned()
            ? LearnedCost.probeBecause(facts.costs(), rows, facts.fillMillis()).orElse(null)
            : null);
  }

  /**
   * Recompute because {@code reason} says it is cheaper, when {@code pg_trickle.cost_based_recompute}
   * allows (read first when not known yet); else {@code otherwise}.
   */
  private static Decision recomputeIfAllowed(Facts facts, String reason, Decision otherwise) {
    if (facts.costBased().isEmpty()) {
      return Decision.next(Step.READ_COST_SETTING);
    }
    return facts.costBased().get() ? Decision.recompute(RefreshAction.FULL, reason) : otherwise;
  }

  /**
   * Fill the delta tables, unless, given the batch's buffer rows counted first, the learned costs
   * (or, before any are learned, the volume and the static estimate) recompute: then the fill,
   * which decodes every row, is not paid. A volume weighed here from the counts is kept: the fill
   * consumes at most as many rows, so it would not recompute either.
   */
  private static Decision beforeFilling(Facts facts) {
    if (!LearnedCost.countBeforeFilling(facts.costs())) {
      return Decision.next(Step.FILL_DELTAS);
    }
    if (facts.batch().isEmpty()) {
      return Decision.next(Step.COUNT_BATCH);
    }
    long rows = changedRows(facts.batch().get());
    if (rows == 0) {
      return Decision.next(Step.FILL_DELTAS);
    }
    Optional<String> cheaper;
    if (facts.learned()) {
      cheaper = LearnedCost.recomputeBecause(facts.costs(), rows, 0);
    } else if (facts.volume().isEmpty()) {
      return Decision.next(Step.WEIGH_VOLUME);
    } else {
      Volume volume = facts.volume().get();
      cheaper = volume.mostlyChanged().or(volume::estimated);
    }
    return cheaper
        .map(reason -> recomputeIfAllowed(
            facts, "before filling the delta tables: " + reason, Decision.next(Step.FILL_DELTAS)))
        .orElseGet(() -> Decision.next(Step.FILL_DELTAS));
  }

  private static Decision applyDeltas(String reason) {
    return new Decision(Step.APPLY_DELTAS, RefreshAction.DIFFERENTIAL, reason);
  }

  /** The delta rows of a batch, summed over its sources. */
  static long changedRows(List<SourceChanges> changes) {
    return changes.stream().mapToLong(SourceChanges::rows).sum();
  }

  private static Decision fullMode(Facts facts) {
    if (!facts.everySourceCaptured()) {
      return Decision.recompute(
          RefreshAction.FULL, "refresh mode FULL; changes of a source cannot be captured");
    }
    if (facts.pending().isEmpty()) {
      return Decision.next(Step.CHECK_PENDING);
    }
    return facts.pending().get()
        ? Decision.recompute(RefreshAction.FULL, "refresh mode FULL")
        : nothing();
  }

  private static Decision nothing() {
    return new Decision(Step.NOTHING, RefreshAction.NO_DATA, null);
  }
}
