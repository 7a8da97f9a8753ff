package dev.trickle.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the change-to-visible latency of the {@link LatencyBenchmark} goes, per sample: from the
 * write's commit to the snapshot of the {@code department_stats} refresh that consumed it (the
 * notification, the scheduler's pass, the engine's work before its snapshot), that refresh (snapshot
 * to history row), the gap to the {@code department_report} refresh, that refresh, and from its
 * history row to the first read that showed the write (commit, cleanup, polling). Times come from
 * the client's clock and the server's {@code clock_timestamp()} on the same machine.
 */
final class Breakdown {
  private record Refresh(String streamTable, Instant start, Instant end) {}

  private static final String[] SEGMENTS = {
    "commit → department_stats snapshot",
    "department_stats refresh",
    "→ department_report snapshot",
    "department_report refresh",
    "→ first read showing the write"
  };

  private Breakdown() {}

  /** The breakdown of the samples (commit and first-visible times) as Markdown. */
  static String of(Connection c, List<Instant[]> samples) throws SQLException {
    List<Refresh> refreshes = scheduledRefreshes(c);
    List<long[]> rows = new ArrayList<>();
    for (Instant[] sample : samples) {
      Refresh stats = firstAfter(refreshes, "department_stats", sample[0]);
      Refresh report = stats == null ? null : firstAfter(refreshes, "department_report", stats.end());
      if (report == null || report.end().isAfter(sample[1])) {
        continue;
      }
      rows.add(
          new long[] {
            micros(sample[0], stats.start()),
            micros(stats.start(), stats.end()),
            micros(stats.end(), report.start()),
            micros(report.start(), report.end()),
            micros(report.end(), sample[1])
          });
    }
    StringBuilder md =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "Where the time of a spaced sample goes (%d of %d samples matched to the refreshes"
                    + " that carried them; a refresh's span runs from its snapshot to its history"
                    + " row, just before its commit):%n%n| segment | p50 ms | p90 ms |%n|---|---|---|%n",
                rows.size(),
                samples.size()));
    for (int i = 0; i < SEGMENTS.length; i++) {
      final int segment = i;
      long[] values = rows.stream().mapToLong(r -> r[segment]).sorted().toArray();
      if (values.length == 0) {
        continue;
      }
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %.1f | %.1f |%n",
              SEGMENTS[i],
              values[rank(values.length, 50)] / 1000.0,
              values[rank(values.length, 90)] / 1000.0));
    }
    return md.toString();
  }

  private static int rank(int n, int p) {
    return Math.max(0, (int) Math.ceil(p / 100.0 * n) - 1);
  }

  private static long micros(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1000;
  }

  private static Refresh firstAfter(List<Refresh> refreshes, String name, Instant after) {
    return refreshes.stream()
        .filter(r -> r.streamTable().equals(name) && !r.start().isBefore(after))
        .findFirst()
        .orElse(null);
  }

  private static List<Refresh> scheduledRefreshes(Connection c) throws SQLException {
    List<Refresh> refreshes = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT s.pgt_name, h.start_time, h.end_time FROM pgtrickle.pgt_refresh_history h"
                    + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                    + " WHERE h.initiated_by = 'SCHEDULER' AND h.status = 'COMPLETED'"
                    + " AND h.action <> 'NO_DATA' ORDER BY h.start_time")) {
      while (rs.next()) {
        refreshes.add(
            new Refresh(
                rs.getString(1),
                rs.getObject(2, OffsetDateTime.class).toInstant(),
                rs.getObject(3, OffsetDateTime.class).toInstant()));
      }
    }
    return refreshes;
  }
}
