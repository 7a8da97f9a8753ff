package dev.trickle.scheduler;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The stream tables of a database as the scheduler sees them in one pass: every stream table with
 * the stream tables it reads and is read by, and the refreshable ones cut into {@link RefreshUnit}s
 * (atomic diamond groups contracted into one unit each, overlapping groups merged), in topological
 * order with each unit's depth (the longest chain of units above it).
 */
final class RefreshGraph {
  private final List<StreamTableNode> nodes;
  private final Map<Long, List<StreamTableNode>> upstreamNodes = new HashMap<>();
  private final Map<Long, List<StreamTableNode>> downstreamNodes = new HashMap<>();
  private final Map<Long, List<Long>> sources = new HashMap<>();
  private final List<RefreshUnit> units = new ArrayList<>();
  private final Map<String, List<RefreshUnit>> upstreamUnits = new HashMap<>();
  private final Map<String, List<RefreshUnit>> downstreamUnits = new HashMap<>();
  private final Map<String, Integer> depth = new HashMap<>();
  private final List<DiamondGroups.Group> diamonds;

  private RefreshGraph(Collection<StreamTableNode> all, Collection<SourceEdge> edges) {
    Map<Long, StreamTableNode> byRelid = new HashMap<>();
    for (StreamTableNode node : all) {
      byRelid.put(node.relid(), node);
    }
    Map<Long, StreamTableNode> byId = new HashMap<>();
    for (StreamTableNode node : all) {
      byId.put(node.pgtId(), node);
    }
    for (SourceEdge edge : edges) {
      sources.computeIfAbsent(edge.readerPgtId(), k -> new ArrayList<>()).add(edge.sourceRelid());
      StreamTableNode reader = byId.get(edge.readerPgtId());
      StreamTableNode source = byRelid.get(edge.sourceRelid());
      if (reader != null && source != null && reader != source) {
        upstreamNodes.computeIfAbsent(reader.pgtId(), k -> new ArrayList<>()).add(source);
        downstreamNodes.computeIfAbsent(source.pgtId(), k -> new ArrayList<>()).add(reader);
      }
    }
    nodes = topologicalNodes(all);
    diamonds = DiamondGroups.find(all, edges);
    buildUnits();
  }

  /** The graph of these stream tables and dependency facts. */
  static RefreshGraph build(Collection<StreamTableNode> nodes, Collection<SourceEdge> edges) {
    return new RefreshGraph(nodes, edges);
  }

  /** Every stream table, upstream first. */
  List<StreamTableNode> nodes() {
    return nodes;
  }

  /** The stream tables {@code node} reads. */
  List<StreamTableNode> upstreamOf(StreamTableNode node) {
    return upstreamNodes.getOrDefault(node.pgtId(), List.of());
  }

  /** The oids of every relation {@code node} reads (tables and stream tables). */
  List<Long> sourcesOf(StreamTableNode node) {
    return sources.getOrDefault(node.pgtId(), List.of());
  }

  /** The stream tables that read {@code node}. */
  List<StreamTableNode> downstreamOf(StreamTableNode node) {
    return downstreamNodes.getOrDefault(node.pgtId(), List.of());
  }

  /** The refreshable units, upstream first. */
  List<RefreshUnit> units() {
    return units;
  }

  /** The units whose members a member of {@code unit} reads. */
  List<RefreshUnit> upstreamOf(RefreshUnit unit) {
    return upstreamUnits.getOrDefault(unit.key(), List.of());
  }

  /** The units with a member that reads a member of {@code unit}. */
  List<RefreshUnit> downstreamOf(RefreshUnit unit) {
    return downstreamUnits.getOrDefault(unit.key(), List.of());
  }

  /** 0 for a unit that reads no other unit, else one more than the deepest unit it reads. */
  int depth(RefreshUnit unit) {
    return depth.getOrDefault(unit.key(), 0);
  }

  /** The atomic diamonds of the whole graph, refreshable or not. */
  List<DiamondGroups.Group> diamonds() {
    return diamonds;
  }

  private List<StreamTableNode> topologicalNodes(Collection<StreamTableNode> all) {
    Map<Long, Integer> waiting = new HashMap<>();
    List<StreamTableNode> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparing(StreamTableNode::name));
    Deque<StreamTableNode> ready = new ArrayDeque<>();
    for (StreamTableNode node : sorted) {
      int sources = upstreamOf(node).size();
      waiting.put(node.pgtId(), sources);
      if (sources == 0) {
        ready.add(node);
      }
    }
    Set<StreamTableNode> order = new LinkedHashSet<>();
    while (!ready.isEmpty()) {
      StreamTableNode node = ready.poll();
      order.add(node);
      for (StreamTableNode reader : downstreamOf(node)) {
        if (waiting.merge(reader.pgtId(), -1, Integer::sum) == 0) {
          ready.add(reader);
        }
      }
    }
    order.addAll(sorted); // a cycle cannot be created; should one exist, its tables go last
    return List.copyOf(order);
  }

  private void buildUnits() {
    Map<Long, Long> root = new HashMap<>();
    Map<Long, Boolean> slowest = new HashMap<>();
    for (StreamTableNode node : nodes) {
      if (node.refreshable()) {
        root.put(node.pgtId(), node.pgtId());
      }
    }
    Map<Long, StreamTableNode> byId = new HashMap<>();
    nodes.forEach(n -> byId.put(n.pgtId(), n));
    List<DiamondGroups.Group> live =
        diamonds.stream().filter(g -> root.containsKey(g.convergence())).toList();
    for (DiamondGroups.Group group : live) {
      for (long member : group.members()) {
        if (root.containsKey(member)) {
          root.put(find(root, member), find(root, group.convergence()));
        }
      }
    }
    for (DiamondGroups.Group group : live) {
      boolean groupSlowest = byId.get(group.convergence()).slowestPolicy();
      slowest.merge(find(root, group.convergence()), groupSlowest, Boolean::logicalAnd);
    }
    Map<Long, List<StreamTableNode>> membersByRoot = new HashMap<>();
    List<Long> roots = new ArrayList<>();
    for (StreamTableNode node : nodes) {
      if (root.containsKey(node.pgtId())) {
        long r = find(root, node.pgtId());
        if (!membersByRoot.containsKey(r)) {
          roots.add(r);
        }
        membersByRoot.computeIfAbsent(r, k -> new ArrayList<>()).add(node);
      }
    }
    Map<Long, RefreshUnit> unitOf = new HashMap<>();
    List<RefreshUnit> unsorted = new ArrayList<>();
    for (long r : roots) {
      List<StreamTableNode> members = membersByRoot.get(r);
      RefreshUnit unit =
          new RefreshUnit(members, members.size() > 1 && slowest.getOrDefault(r, false));
      unsorted.add(unit);
      members.forEach(m -> unitOf.put(m.pgtId(), unit));
    }
    for (RefreshUnit unit : unsorted) {
      Set<RefreshUnit> above = new LinkedHashSet<>();
      for (StreamTableNode member : unit.members()) {
        for (StreamTableNode source : upstreamOf(member)) {
          RefreshUnit sourceUnit = unitOf.get(source.pgtId());
          if (sourceUnit != null && sourceUnit != unit) {
            above.add(sourceUnit);
          }
        }
      }
      for (RefreshUnit sourceUnit : above) {
        upstreamUnits.computeIfAbsent(unit.key(), k -> new ArrayList<>()).add(sourceUnit);
        downstreamUnits.computeIfAbsent(sourceUnit.key(), k -> new ArrayList<>()).add(unit);
      }
    }
    sortUnits(unsorted);
  }

  /** Kahn's algorithm over units; ties keep the order of their first members. */
  private void sortUnits(List<RefreshUnit> unsorted) {
    Map<String, Integer> waiting = new HashMap<>();
    Deque<RefreshUnit> ready = new ArrayDeque<>();
    for (RefreshUnit unit : unsorted) {
      int sources = upstreamOf(unit).size();
      waiting.put(unit.key(), sources);
      if (sources == 0) {
        ready.add(unit);
      }
    }
    Set<RefreshUnit> order = new LinkedHashSet<>();
    while (!ready.isEmpty()) {
      RefreshUnit unit = ready.poll();
      order.add(unit);
      int d = upstreamOf(unit).stream().mapToInt(u -> depth.get(u.key()) + 1).max().orElse(0);
      depth.put(unit.key(), d);
      for (RefreshUnit reader : downstreamOf(unit)) {
        if (waiting.merge(reader.key(), -1, Integer::sum) == 0) {
          ready.add(reader);
        }
      }
    }
    order.addAll(unsorted); // only a cycle between merged groups could leave units behind
    units.addAll(order);
  }

  private static long find(Map<Long, Long> root, long id) {
    long r = id;
    while (root.get(r) != r) {
      r = root.get(r);
    }
    return r;
  }
}
