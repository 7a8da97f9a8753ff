package dev.trickle.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides what a scheduler pass refreshes. Pure: the catalog's state, the pending changes and the
 * clock come in, a {@link RefreshPlan} comes out.
 *
 * <p>Rules, per unit, upstream first:
 *
 * <ul>
 *   <li><b>changed</b>: a member has changes waiting in a source's change buffer, reads a relation
 *       whose changes cannot be captured, must be populated or has lost a source; or a unit it
 *       reads changed and refreshes in this pass (calculated, or due). So a change at the bottom
 *       of a chain reaches the top in one pass.
 *   <li><b>due</b> (a unit with a schedule of its own): urgent (never populated, or broken: the
 *       refresh records the failure), or changed and its pace elapsed, or a cron time reached
 *       (refreshed even without changes). A duration schedule {@code S} paces refreshes: the
 *       next one starts at least {@code S} after the last this scheduler ran, so a change waits at
 *       most {@code S}, and right away when the last refresh is older than {@code S}. A cron
 *       schedule is due at its next time after {@code data_timestamp}. A diamond group is due when
 *       its fastest scheduled member is ({@code 'fastest'}) or when all of them are ({@code
 *       'slowest'}).
 *   <li><b>needed</b> (downstream first; a unit without any schedule of its own, {@code
 *       calculated}): changed and read by a unit that is due or needed. Calculated stream tables
 *       so refresh exactly when, and as often as, the tightest schedule below them.
 *   <li>A unit backing off after a failure is neither due nor needed until its retry time.
 * </ul>
 *
 * Stream tables with nothing waiting anywhere upstream whose content is older than their pace
 * (their duration schedule, or for calculated ones the tightest duration below them) are
 * confirmed: still current, without a refresh. For each relation read, the plan also says from when
 * a new change to it can be refreshed, so notifications about paced tables wait for their time.
 */
final class RefreshPlanner {
  private final ZoneId zone;

  /** A planner that evaluates cron expressions in {@code zone}. */
  RefreshPlanner(ZoneId zone) {
    this.zone = zone;
  }

  /** The plan for a pass at {@code now}. */
  RefreshPlan plan(RefreshGraph graph, Set<Long> pending, UnitMemory memory, Instant now) {
    Map<String, Boolean> changed = new HashMap<>();
    Map<String, Boolean> due = new HashMap<>();
    Map<String, Boolean> waiting = new HashMap<>();
    List<Instant> wakes = new ArrayList<>();
    Map<String, Instant> allowedAt = new HashMap<>();
    for (RefreshUnit unit : graph.units()) {
      Instant retryAt = memory.retryAt(unit);
      boolean backingOff = retryAt != null && now.isBefore(retryAt);
      if (backingOff) {
        wakes.add(retryAt);
      }
      waiting.put(unit.key(), backingOff);
      boolean urgent = unit.members().stream().anyMatch(StreamTableNode::urgent);
      boolean isChanged =
          urgent
              || unit.members().stream()
                  .anyMatch(m -> pending.contains(m.pgtId()) || m.uncapturable())
              || graph.upstreamOf(unit).stream()
                  .anyMatch(
                      v ->
                          changed.get(v.key())
                              && !waiting.get(v.key())
                              && (v.calculated() || due.get(v.key())));
      changed.put(unit.key(), isChanged);
      boolean isDue = false;
      if (backingOff) {
        allowedAt.put(unit.key(), retryAt);
      } else if (urgent) {
        isDue = true;
        allowedAt.put(unit.key(), now);
      } else if (!unit.calculated()) {
        Timing timing = timing(unit, memory.lastRun(unit), now);
        isDue = timing.timeDue() && (isChanged || timing.cronReached());
        timing.next().stream()
            .filter(t -> t.isAfter(now) && (isChanged || timing.cron()))
            .forEach(wakes::add);
        allowedAt.put(unit.key(), timing.timeDue() ? now : timing.allowedAt(unit.slowest()));
      }
      due.put(unit.key(), isDue);
    }
    Map<String, Boolean> needed = new HashMap<>();
    List<RefreshUnit> reversed = new ArrayList<>(graph.units());
    Collections.reverse(reversed);
    for (RefreshUnit unit : reversed) {
      boolean isNeeded =
          unit.calculated()
              && !due.get(unit.key())
              && !waiting.get(unit.key())
              && changed.get(unit.key())
              && graph.downstreamOf(unit).stream()
                  .anyMatch(w -> due.get(w.key()) || needed.get(w.key()));
      needed.put(unit.key(), isNeeded);
      if (unit.calculated() && !waiting.get(unit.key())) {
        graph.downstreamOf(unit).stream()
            .map(w -> allowedAt.get(w.key()))
            .filter(Objects::nonNull)
            .min(Instant::compareTo)
            .ifPresent(t -> allowedAt.put(unit.key(), t));
      }
    }
    TreeMap<Integer, List<RefreshUnit>> levels = new TreeMap<>();
    for (RefreshUnit unit : graph.units()) {
      if (due.get(unit.key()) || needed.get(unit.key())) {
        levels.computeIfAbsent(graph.depth(unit), d -> new ArrayList<>()).add(unit);
      }
    }
    List<Long> confirmed = confirmations(graph, pending, levels, now);
    Instant nextWake = wakes.stream().min(Instant::compareTo).orElse(null);
    return new RefreshPlan(
        new ArrayList<>(levels.values()), confirmed, nextWake, changeDueAt(graph, allowedAt));
  }

  /** For each relation read by a unit: the earliest time any of its readers may refresh. */
  private static Map<Long, Instant> changeDueAt(
      RefreshGraph graph, Map<String, Instant> allowedAt) {
    Map<Long, Instant> dueAt = new HashMap<>();
    for (RefreshUnit unit : graph.units()) {
      Instant allowed = allowedAt.get(unit.key());
      if (allowed == null) {
        continue;
      }
      for (StreamTableNode member : unit.members()) {
        for (long source : graph.sourcesOf(member)) {
          dueAt.merge(source, allowed, (a, b) -> a.isBefore(b) ? a : b);
        }
      }
    }
    return dueAt;
  }

  /**
   * When the unit's scheduled members allow a refresh.
   *
   * @param timeDue the policy's members allow it now
   * @param cronReached a cron member's time has come (refresh even without changes)
   * @param cron the unit has a cron member
   * @param next when each member allows it next
   */
  private record Timing(boolean timeDue, boolean cronReached, boolean cron, List<Instant> next) {
    /** When the policy's members allow a refresh: the first of them, or the last. */
    Instant allowedAt(boolean slowest) {
      return next.stream().reduce((a, b) -> (a.isBefore(b) == slowest) ? b : a).orElse(null);
    }
  }

  private Timing timing(RefreshUnit unit, Instant lastRun, Instant now) {
    boolean any = false;
    boolean all = true;
    boolean cronReached = false;
    boolean cron = false;
    List<Instant> next = new ArrayList<>();
    for (StreamTableNode m : unit.members()) {
      if (m.schedule().isCalculated()) {
        continue;
      }
      Instant allowed;
      if (m.schedule().interval().isPresent()) {
        allowed = lastRun == null ? now : lastRun.plus(m.schedule().interval().get());
      } else {
        cron = true;
        Instant base = latest(m.dataTimestamp(), lastRun);
        allowed =
            base == null
                ? now
                : m.schedule().nextDue(base.atZone(zone)).map(t -> t.toInstant()).orElse(null);
        cronReached |= allowed != null && !allowed.isAfter(now);
      }
      boolean ok = allowed != null && !allowed.isAfter(now);
      any |= ok;
      all &= ok;
      if (allowed != null) {
        next.add(allowed);
      }
    }
    return new Timing(unit.slowest() ? all : any, cronReached, cron, next);
  }

  private static List<Long> confirmations(
      RefreshGraph graph,
      Set<Long> pending,
      Map<Integer, List<RefreshUnit>> levels,
      Instant now) {
    Set<Long> refreshing = new HashSet<>();
    for (List<RefreshUnit> level : levels.values()) {
      level.forEach(u -> u.members().forEach(m -> refreshing.add(m.pgtId())));
    }
    Map<Long, Boolean> clean = new HashMap<>();
    for (StreamTableNode n : graph.nodes()) {
      boolean isClean =
          n.immediate()
              || (n.refreshable()
                  && n.populated()
                  && !n.broken()
                  && !n.uncapturable()
                  && !pending.contains(n.pgtId())
                  && graph.upstreamOf(n).stream().allMatch(u -> clean.get(u.pgtId())));
      clean.put(n.pgtId(), isClean);
    }
    Map<Long, Duration> pace = new HashMap<>();
    List<StreamTableNode> reversed = new ArrayList<>(graph.nodes());
    Collections.reverse(reversed);
    List<Long> confirmed = new ArrayList<>();
    for (StreamTableNode n : reversed) {
      Duration p = n.schedule().interval().orElse(null);
      if (n.schedule().isCalculated()) {
        p =
            graph.downstreamOf(n).stream()
                .filter(StreamTableNode::refreshable)
                .map(d -> pace.get(d.pgtId()))
                .filter(Objects::nonNull)
                .min(Duration::compareTo)
                .orElse(null);
      }
      pace.put(n.pgtId(), p);
      if (p != null
          && !n.immediate()
          && clean.get(n.pgtId())
          && !refreshing.contains(n.pgtId())
          && n.dataTimestamp() != null
          && !n.dataTimestamp().plus(p).isAfter(now)) {
        confirmed.add(n.pgtId());
      }
    }
    return confirmed;
  }

  private static Instant latest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isAfter(b) ? a : b;
  }
}
