package dev.trickle.refresh;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Asks {@link RecomputeEstimate} about one differential refresh: reads the sizes of the stream
 * table's sources (one query, only for a batch large enough to matter) and returns the reason to
 * recompute, or null to apply the deltas.
 */
final class RecomputeCheck {
  private RecomputeCheck() {}

  /** The reason this refresh should recompute, or null. */
  static String reason(
      Connection c, List<SourceChanges> changes, StreamTableDefinition definition)
      throws SQLException {
    if (!RecomputeEstimate.worthAsking(changes) || definition.sources().isEmpty()) {
      return null;
    }
    Map<Long, Long> changed = new HashMap<>();
    changes.forEach(ch -> changed.merge(ch.sourceRelid(), ch.rows(), Long::sum));
    Long[] relids = definition.sources().stream()
        .map(StreamTableDefinition.Source::relid).toArray(Long[]::new);
    Map<Long, Long> sizes = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT oid::bigint AS relid, GREATEST(reltuples, 0)::bigint AS estimated FROM pg_catalog.pg_class"
            + " WHERE oid = ANY (?::oid[])")) {
      ps.setArray(1, c.createArrayOf("bigint", relids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sizes.put(rs.getLong("relid"), rs.getLong("estimated"));
        }
      }
    }
    List<RecomputeEstimate.Source> sources = new ArrayList<>();
    for (StreamTableDefinition.Source source : definition.sources()) {
      sources.add(new RecomputeEstimate.Source(
          source.qualifiedName(),
          changed.getOrDefault(source.relid(), 0L),
          sizes.getOrDefault(source.relid(), 0L)));
    }
    return RecomputeEstimate.decide(sources, sources.size()).reason();
  }
}
