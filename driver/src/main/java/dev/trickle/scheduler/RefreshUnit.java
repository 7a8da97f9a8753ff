package dev.trickle.scheduler;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What the scheduler refreshes as one piece: a single stream table, or a diamond group (several
 * overlapping diamonds merged) refreshed in one transaction.
 *
 * @param members the stream tables, upstream first
 * @param slowest whether a group waits for the schedule of its slowest member ({@code
 *     diamond_schedule_policy = 'slowest'} at every convergence point), rather than its fastest
 */
record RefreshUnit(List<StreamTableNode> members, boolean slowest) {
  RefreshUnit {
    members = List.copyOf(members);
  }

  /** True for a diamond group: its members refresh in one transaction. */
  boolean atomic() {
    return members.size() > 1;
  }

  /** True when no member has its own schedule: the unit follows its readers. */
  boolean calculated() {
    return members.stream().allMatch(m -> m.schedule().isCalculated());
  }

  /** Identifies the unit across passes (its members' ids). */
  String key() {
    return members.stream().map(m -> Long.toString(m.pgtId())).collect(Collectors.joining(","));
  }

  /** The members' names, for logs. */
  String describe() {
    return members.stream().map(StreamTableNode::name).collect(Collectors.joining(", "));
  }
}
