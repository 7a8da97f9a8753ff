package dev.trickle.scheduler;

import dev.trickle.catalog.StreamTableStatus;
import dev.trickle.catalog.Schedule;
import java.sql.SQLException;
import java.time.Instant;

/** Stream-table nodes for planner and graph unit tests: id n has storage oid 1000 + n. */
final class Nodes {
  private Nodes() {}

  /** An ACTIVE, populated node with atomic diamonds and the 'fastest' policy. */
  static StreamTableNode node(long id, String schedule, Instant dataTimestamp) throws SQLException {
    return new StreamTableNode(
        id, relid(id), "public", "st" + id, Schedule.parse(schedule), StreamTableStatus.ACTIVE,
        true, false, true, false, dataTimestamp, false, false);
  }

  /** The storage oid of node {@code id}. */
  static long relid(long id) {
    return 1000 + id;
  }

  static StreamTableNode withStatus(StreamTableNode n, StreamTableStatus status) {
    return new StreamTableNode(
        n.pgtId(), n.relid(), n.schema(), n.table(), n.schedule(), status, n.populated(),
        n.immediate(), n.atomicDiamonds(), n.slowestPolicy(), n.dataTimestamp(), n.uncapturable(),
        n.broken());
  }

  static StreamTableNode unpopulated(StreamTableNode n) {
    return new StreamTableNode(
        n.pgtId(), n.relid(), n.schema(), n.table(), n.schedule(), n.status(), false,
        n.immediate(), n.atomicDiamonds(), n.slowestPolicy(), null, n.uncapturable(), n.broken());
  }

  static StreamTableNode uncapturable(StreamTableNode n) {
    return new StreamTableNode(
        n.pgtId(), n.relid(), n.schema(), n.table(), n.schedule(), n.status(), n.populated(),
        n.immediate(), n.atomicDiamonds(), n.slowestPolicy(), n.dataTimestamp(), true, n.broken());
  }

  static StreamTableNode slowest(StreamTableNode n) {
    return new StreamTableNode(
        n.pgtId(), n.relid(), n.schema(), n.table(), n.schedule(), n.status(), n.populated(),
        n.immediate(), n.atomicDiamonds(), true, n.dataTimestamp(), n.uncapturable(), n.broken());
  }

  static StreamTableNode noDiamonds(StreamTableNode n) {
    return new StreamTableNode(
        n.pgtId(), n.relid(), n.schema(), n.table(), n.schedule(), n.status(), n.populated(),
        n.immediate(), false, n.slowestPolicy(), n.dataTimestamp(), n.uncapturable(), n.broken());
  }

  /** Stream table {@code reader} reads stream table {@code source}. */
  static SourceEdge reads(long reader, long source) {
    return new SourceEdge(reader, relid(source));
  }

  /** Stream table {@code reader} reads base table oid {@code table} (below 1000). */
  static SourceEdge readsTable(long reader, long table) {
    return new SourceEdge(reader, table);
  }
}
