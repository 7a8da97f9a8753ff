package dev.trickle.catalog;

import java.util.List;

/**
 * What a stream table is defined as: the columns of {@code pgt_stream_tables} that create and
 * alter set.
 *
 * @param query the defining query as the user wrote it (without a trailing semicolon)
 * @param searchPath the {@code search_path} the query's unqualified names are resolved with
 * @param requestedMode the refresh mode the user asked for
 * @param effectiveMode the refresh mode in use ({@code AUTO} resolved)
 * @param modeReason why the effective mode differs from the requested one, or null
 * @param schedule the schedule text, or null for {@code calculated}
 * @param diamondConsistency {@code none} or {@code atomic}
 * @param diamondSchedulePolicy {@code fastest} or {@code slowest}
 * @param cdcMode {@code trigger}, {@code wal} or {@code auto}
 * @param version the definition version, bumped by every alter
 * @param teardownSql statements that remove what the differential compiler set up
 */
public record StreamTableSpec(
    String query,
    String searchPath,
    RefreshMode requestedMode,
    RefreshMode effectiveMode,
    String modeReason,
    String schedule,
    String diamondConsistency,
    String diamondSchedulePolicy,
    String cdcMode,
    int version,
    List<String> teardownSql) {
  public StreamTableSpec {
    teardownSql = List.copyOf(teardownSql);
  }

  /** This spec with the effective mode decided and the compiler's teardown statements. */
  public StreamTableSpec withMaintenance(
      RefreshMode effective, String reason, List<String> teardown) {
    return new StreamTableSpec(
        query,
        searchPath,
        requestedMode,
        effective,
        reason,
        schedule,
        diamondConsistency,
        diamondSchedulePolicy,
        cdcMode,
        version,
        teardown);
  }
}
