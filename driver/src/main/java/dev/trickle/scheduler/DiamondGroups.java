package dev.trickle.scheduler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds diamonds: a stream table D with {@code diamond_consistency = 'atomic'} whose direct sources
 * share an upstream relation A (a base table or a stream table), so that two paths from A meet
 * again in D ({@code A→B→D, A→C→D}, or {@code A→B→D, A→D}). If B and C were refreshed at different
 * moments, D would combine B and C as of two different states of A. The group is D plus every
 * stream table on a path from a shared relation to D (a shared stream table included); refreshing
 * it in one transaction makes every member read A at one snapshot.
 *
 * <p>The same definition is {@code pgtrickle.diamond_groups()} in {@code V4__scheduler.sql}.
 */
final class DiamondGroups {
  /**
   * One diamond.
   *
   * @param convergence the stream table where the paths meet
   * @param members the convergence and the stream tables on the paths (catalog ids)
   */
  record Group(long convergence, Set<Long> members) {}

  private final Map<Long, StreamTableNode> byRelid = new HashMap<>();
  private final Map<Long, Set<Long>> sourcesOf = new HashMap<>();
  private final Map<Long, Set<Long>> ancestorsOf = new HashMap<>();

  private DiamondGroups(Collection<StreamTableNode> nodes, Collection<SourceEdge> edges) {
    Map<Long, Long> relidOf = new HashMap<>();
    for (StreamTableNode node : nodes) {
      byRelid.put(node.relid(), node);
      relidOf.put(node.pgtId(), node.relid());
    }
    for (SourceEdge edge : edges) {
      Long reader = relidOf.get(edge.readerPgtId());
      if (reader != null) {
        sourcesOf.computeIfAbsent(reader, k -> new LinkedHashSet<>()).add(edge.sourceRelid());
      }
    }
  }

  /** The diamonds of the graph, one per convergence point with atomic consistency. */
  static List<Group> find(Collection<StreamTableNode> nodes, Collection<SourceEdge> edges) {
    return new DiamondGroups(nodes, edges).find(nodes);
  }

  private List<Group> find(Collection<StreamTableNode> nodes) {
    List<Group> groups = new ArrayList<>();
    for (StreamTableNode d : nodes) {
      if (!d.atomicDiamonds()) {
        continue;
      }
      Map<Long, Integer> pathsTo = new HashMap<>();
      for (long source : sourcesOf.getOrDefault(d.relid(), Set.of())) {
        for (long reached : selfAndAncestors(source)) {
          pathsTo.merge(reached, 1, Integer::sum);
        }
      }
      Set<Long> shared = new HashSet<>();
      pathsTo.forEach((relid, paths) -> {
        if (paths > 1) {
          shared.add(relid);
        }
      });
      if (shared.isEmpty()) {
        continue;
      }
      Set<Long> members = new LinkedHashSet<>();
      members.add(d.pgtId());
      for (long upstream : pathsTo.keySet()) {
        StreamTableNode m = byRelid.get(upstream);
        if (m != null && selfAndAncestors(upstream).stream().anyMatch(shared::contains)) {
          members.add(m.pgtId());
        }
      }
      groups.add(new Group(d.pgtId(), members));
    }
    return groups;
  }

  /** The relation and everything upstream of it (stream tables have sources, tables none). */
  private Set<Long> selfAndAncestors(long relid) {
    Set<Long> result = new HashSet<>(ancestors(relid, new HashSet<>()));
    result.add(relid);
    return result;
  }

  private Set<Long> ancestors(long relid, Set<Long> visiting) {
    Set<Long> known = ancestorsOf.get(relid);
    if (known != null) {
      return known;
    }
    Set<Long> result = new HashSet<>();
    if (visiting.add(relid)) {
      for (long source : sourcesOf.getOrDefault(relid, Set.of())) {
        result.add(source);
        result.addAll(ancestors(source, visiting));
      }
      visiting.remove(relid);
    }
    ancestorsOf.put(relid, result);
    return result;
  }
}
