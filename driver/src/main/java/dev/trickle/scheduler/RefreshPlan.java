package dev.trickle.scheduler;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one scheduler pass does.
 *
 * @param levels the units to refresh, by depth: every unit of a level may run concurrently, and
 *     each level starts after the one before it finished (serially: one after another, in order)
 * @param confirmed stream tables that have no change waiting anywhere upstream and whose content
 *     is older than their pace: still current, so their {@code data_timestamp} is moved to the
 *     pass's snapshot time instead of refreshing them
 * @param nextWake when something becomes due without a new change (a paced or backed-off unit, a
 *     cron time), or null
 * @param changeDueAt for each relation a refreshable stream table reads: the earliest time a new
 *     change to it can be refreshed (now, or when the pace or back-off of its readers allows), so
 *     that a change notification wakes the scheduler only when there is something to do
 */
record RefreshPlan(
    List<List<RefreshUnit>> levels,
    List<Long> confirmed,
    Instant nextWake,
    Map<Long, Instant> changeDueAt) {
  RefreshPlan {
    levels = levels.stream().map(List::copyOf).toList();
    confirmed = List.copyOf(confirmed);
    changeDueAt = Map.copyOf(changeDueAt);
  }

  /** True when the pass refreshes nothing. */
  boolean isEmpty() {
    return levels.isEmpty();
  }

  /** Every unit to refresh, upstream first. */
  List<RefreshUnit> units() {
    return levels.stream().flatMap(List::stream).toList();
  }
}
