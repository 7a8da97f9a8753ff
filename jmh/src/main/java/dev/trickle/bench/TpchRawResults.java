package dev.trickle.bench;

import dev.trickle.tpch.TpchQuery;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Every TPC-H query's refreshes in every cycle as one CSV line ({@code tpch-raw.csv}), written as
 * the run goes so a cut-short run keeps what it measured; the report shows medians.
 */
final class TpchRawResults {
  private static final String HEADER =
      "scale,change,cycle,changed_rows,query,mode,differential_ms,full_ms,"
          + "matview_ms,differential_action,differential_status,differential_rows_inserted,"
          + "differential_rows_deleted,differential_history_ms,differences\n";

  private final CsvAppender csv;

  TpchRawResults(Path file) {
    this.csv = new CsvAppender(file, HEADER);
  }

  /** Appends one query's refreshes in one cycle. */
  void append(
      double scale,
      double share,
      int cycle,
      long changedRows,
      TpchQuery query,
      String mode,
      double differentialMillis,
      double fullMillis,
      double matviewMillis,
      RefreshRecord record,
      long differences) {
    String line =
        String.format(
            Locale.ROOT,
            "%s,%s,%d,%d,%s,%s,%.3f,%.3f,%.3f,%s,%s,%d,%d,%.3f,%d%n",
            scale,
            TpchOptions.percent(share),
            cycle,
            changedRows,
            query.title(),
            mode,
            differentialMillis,
            fullMillis,
            matviewMillis,
            record.action(),
            record.status(),
            record.rowsInserted(),
            record.rowsDeleted(),
            record.serverMillis(),
            differences);
    csv.append(line);
  }
}
