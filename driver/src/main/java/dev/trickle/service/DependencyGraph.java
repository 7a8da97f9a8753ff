package dev.trickle.service;

import dev.trickle.catalog.Dependency;
import dev.trickle.catalog.DependencyCatalog;
import dev.trickle.catalog.SourceKind;
import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTable;
import dev.trickle.catalog.StreamTableCatalog;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The graph of stream tables reading stream tables, for refusing cycles. */
final class DependencyGraph {
  private DependencyGraph() {}

  /**
   * Refuses (3F000) new sources for {@code st} that read {@code st} themselves, directly or
   * through other stream tables.
   */
  static void requireAcyclic(Connection c, StreamTable st, List<Dependency> newSources)
      throws SQLException {
    Map<Long, List<Long>> upstream = new HashMap<>();
    for (long[] edge : DependencyCatalog.streamTableEdges(c)) {
      if (edge[0] != st.relid()) {
        upstream.computeIfAbsent(edge[0], k -> new ArrayList<>()).add(edge[1]);
      }
    }
    Map<Long, Long> reachedFrom = new HashMap<>();
    Deque<Long> queue = new ArrayDeque<>();
    for (Dependency d : newSources) {
      if (d.kind() == SourceKind.STREAM_TABLE && !reachedFrom.containsKey(d.sourceRelid())) {
        reachedFrom.put(d.sourceRelid(), st.relid());
        queue.add(d.sourceRelid());
      }
    }
    while (!queue.isEmpty()) {
      long node = queue.poll();
      if (node == st.relid()) {
        throw cycle(c, st, reachedFrom);
      }
      for (long source : upstream.getOrDefault(node, List.of())) {
        if (!reachedFrom.containsKey(source)) {
          reachedFrom.put(source, node);
          queue.add(source);
        }
      }
    }
  }

  private static SQLException cycle(Connection c, StreamTable st, Map<Long, Long> reachedFrom)
      throws SQLException {
    List<String> path = new ArrayList<>();
    long node = st.relid();
    do {
      path.add(name(c, node));
      node = reachedFrom.get(node);
    } while (node != st.relid());
    path.add(st.displayName());
    Collections.reverse(path);
    return SqlState.DEPENDENCY_CYCLE.exception(
        "stream table "
            + st.displayName()
            + " would depend on itself ("
            + String.join(" reads ", path)
            + "); a stream table must not read itself, directly or through other stream tables");
  }

  private static String name(Connection c, long relid) throws SQLException {
    return StreamTableCatalog.findByRelid(c, relid)
        .map(StreamTable::displayName)
        .orElse(Long.toString(relid));
  }
}
