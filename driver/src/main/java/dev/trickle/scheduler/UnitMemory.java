package dev.trickle.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the leading scheduler remembers between passes about each unit: when it last refreshed it
 * (schedules pace refreshes from there) and how its recent attempts failed (a failed unit is
 * retried after a back-off that doubles with every failure in a row, from the scheduler interval
 * up to {@link #MAX_BACKOFF}). Nothing here must survive the process: a new leader starts empty,
 * which at worst refreshes a unit once early.
 */
final class UnitMemory {
  /** The longest wait before retrying a failed unit. */
  static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  private record State(Instant lastRun, int failures, Instant retryAt) {}

  private final Map<String, State> states = new HashMap<>();

  /** When the unit's last successful refresh by this scheduler started, or null. */
  synchronized Instant lastRun(RefreshUnit unit) {
    State s = states.get(unit.key());
    return s == null ? null : s.lastRun();
  }

  /** Until when a failed unit waits, or null. */
  synchronized Instant retryAt(RefreshUnit unit) {
    State s = states.get(unit.key());
    return s == null ? null : s.retryAt();
  }

  /** Records a successful refresh started at {@code start}; clears the failures. */
  synchronized void refreshed(RefreshUnit unit, Instant start) {
    states.put(unit.key(), new State(start, 0, null));
  }

  /** Records a failed attempt at {@code at}; the next waits {@code base × 2^(failures-1)}. */
  synchronized void failed(RefreshUnit unit, Instant at, Duration base) {
    State s = states.get(unit.key());
    int failures = s == null ? 1 : s.failures() + 1;
    Duration wait = base.multipliedBy(1L << Math.min(failures - 1, 20));
    if (wait.compareTo(MAX_BACKOFF) > 0) {
      wait = MAX_BACKOFF;
    }
    states.put(unit.key(), new State(s == null ? null : s.lastRun(), failures, at.plus(wait)));
  }

  /** Forgets units that no longer exist. */
  synchronized void retain(Collection<RefreshUnit> units) {
    Set<String> keys = units.stream().map(RefreshUnit::key).collect(Collectors.toSet());
    states.keySet().retainAll(keys);
  }
}
