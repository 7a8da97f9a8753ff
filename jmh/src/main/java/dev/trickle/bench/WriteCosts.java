package dev.trickle.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What the writes to one contender's accounts table cost in the pgbench-shaped benchmarks ({@link
 * PgbenchRig}), one value per round; each benchmark's results add what it measures besides.
 */
class WriteCosts {
  /** Median single-row latency per round, ms: INSERT, UPDATE, DELETE. */
  final List<List<Double>> single =
      List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());

  /** Bulk UPDATE of 100,000 rows per round, ms. */
  final List<Double> bulk = new ArrayList<>();

  /** Transactions per second per round. */
  final List<Double> tps = new ArrayList<>();

  /**
   * Adds a round's single-row medians from its latencies in nanoseconds, per kind ({@link
   * CaptureWorkload#singleRows}).
   */
  void addSingleRows(long[][] nanosPerKind) {
    for (int kind = 0; kind < single.size(); kind++) {
      single.get(kind).add(CaptureWorkload.medianMs(nanosPerKind[kind]));
    }
  }
}
