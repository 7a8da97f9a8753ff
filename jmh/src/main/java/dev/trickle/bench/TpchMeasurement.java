package dev.trickle.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one TPC-H query did over the cycles of one change size: the three contenders' refresh times
 * per cycle, the actions the history recorded for the first contender, and the oracle's verdicts.
 * Medians count the cycles after the first.
 */
final class TpchMeasurement {
  private final int query;
  private final double share;
  private final String mode;
  private final List<String> refusals;
  private final List<Double> changed = new ArrayList<>();
  private final List<Double> differential = new ArrayList<>();
  private final List<Double> full = new ArrayList<>();
  private final List<Double> matview = new ArrayList<>();
  private final List<String> actions = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private long differences;

  TpchMeasurement(int query, double share, String mode, List<String> refusals) {
    this.query = query;
    this.share = share;
    this.mode = mode;
    this.refusals = List.copyOf(refusals);
  }

  /** Records one cycle. */
  void add(long changedRows, double differentialMillis, double fullMillis, double matviewMillis,
      RefreshRecord record, long cycleDifferences) {
    changed.add((double) changedRows);
    differential.add(differentialMillis);
    full.add(fullMillis);
    matview.add(matviewMillis);
    actions.add(
        record.action() + ("COMPLETED".equals(record.status()) ? "" : "/" + record.status()));
    differences += cycleDifferences;
  }

  /** Adds a note for the report's anomalies. */
  void note(String note) {
    notes.add(note);
  }

  int query() {
    return query;
  }

  double share() {
    return share;
  }

  /** The mode the first contender was created with (DIFFERENTIAL, or a fallback). */
  String mode() {
    return mode;
  }

  List<String> refusals() {
    return refusals;
  }

  List<String> notes() {
    return List.copyOf(notes);
  }

  /** Rows in which a stream table differed from its query, summed over cycles and both tables. */
  long differences() {
    return differences;
  }

  /** Rows changed per cycle in all tables (median of the cycles after the first). */
  double changedRows() {
    return medianAfterFirst(changed);
  }

  double differential() {
    return medianAfterFirst(differential);
  }

  double full() {
    return medianAfterFirst(full);
  }

  double matview() {
    return medianAfterFirst(matview);
  }

  /** How many times faster the first contender is than the materialized view. */
  double speedup() {
    return matview() / differential();
  }

  /** FULL's time over the materialized view's. */
  double fullOverMatview() {
    return full() / matview();
  }

  /** The distinct actions recorded, in order of appearance, e.g. {@code DIFFERENTIAL, NO_DATA}. */
  String strategies() {
    Set<String> distinct = new LinkedHashSet<>(actions);
    return String.join(", ", distinct);
  }

  /** Whether every refresh of the first contender was DIFFERENTIAL (or NO_DATA, nothing to do). */
  boolean allDifferential() {
    return !actions.isEmpty()
        && actions.stream().allMatch(a -> a.equals("DIFFERENTIAL") || a.equals("NO_DATA"));
  }

  private static double medianAfterFirst(List<Double> values) {
    return values.size() < 2
        ? Double.NaN
        : RefreshMeasurement.median(values.subList(1, values.size()));
  }
}
