package dev.trickle.bench;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Every timed repetition as one CSV line ({@code refresh-raw.csv}), written as the run goes so a
 * cut-short run keeps what it measured; the report shows only medians.
 */
final class RawResults {
  private static final String HEADER =
      "query,source_rows,change,changed_rows,repetition,differential_ms,full_ms,matview_ms,"
          + "differential_unsettled_ms,"
          + "differential_action,differential_status,differential_rows_inserted,"
          + "differential_rows_deleted,differential_history_ms,differential_reason\n";

  private final CsvAppender csv;

  RawResults(Path file) {
    this.csv = new CsvAppender(file, HEADER);
  }

  /** Appends one repetition. */
  void append(
      BenchmarkQuery query,
      int sourceRows,
      ChangeSize change,
      int changedRows,
      int repetition,
      double differentialMillis,
      double fullMillis,
      double matviewMillis,
      double unsettledMillis,
      RefreshRecord differential) {
    String line = String.format(Locale.ROOT, "%s,%d,%s,%d,%d,%.3f,%.3f,%.3f,%.3f,%s,%s,%d,%d,%.3f,\"%s\"%n",
        query.key(), sourceRows, change, changedRows, repetition, differentialMillis, fullMillis,
        matviewMillis, unsettledMillis, differential.action(), differential.status(), differential.rowsInserted(),
        differential.rowsDeleted(), differential.serverMillis(),
        differential.reason() == null ? "" : differential.reason().replace("\"", "\"\""));
    csv.append(line);
  }
}
