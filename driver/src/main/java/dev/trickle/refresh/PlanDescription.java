package dev.trickle.refresh;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a differential plan is, for people and for advice: its explanation lines (strategy first,
 * then one line per operator), the delta SQL of a refresh in which every source changed, and the
 * source columns its delta probes by equality (which should lead an index), and the column lists
 * it looks up by equality in the sources' delta tables (which the refresh indexes: {@link
 * DeltaTables#fill}).
 */
public record PlanDescription(
    List<String> explain,
    String deltaSql,
    Map<Long, Set<String>> probedColumns,
    Map<Long, Set<List<String>>> deltaLookups) {
  /** Nothing to describe. */
  public static final PlanDescription NONE =
      new PlanDescription(List.of(), null, Map.of(), Map.of());

  public PlanDescription {
    explain = List.copyOf(explain);
    probedColumns = Map.copyOf(probedColumns);
    deltaLookups = Map.copyOf(deltaLookups);
  }
}
