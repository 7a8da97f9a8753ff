package dev.trickle.cli;

import java.io.PrintWriter;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalTime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trickle status}: the stream tables of a database, one row each (status, refresh mode,
 * schedule, staleness, last refresh), shown again every second until Ctrl-C, or once with {@code
 * --once} (for scripts).
 */
@Command(
    name = "status",
    description =
        "Show the stream tables (status, mode, schedule, staleness, last refresh), refreshed every"
            + " second until Ctrl-C.")
final class StatusCommand implements Callable<Integer> {
  /** Clears a terminal and moves to its top left corner. */
  private static final String CLEAR = "\033[H\033[2J";

  private static final String QUERY =
      "SELECT format('%I.%I', s.pgt_schema, s.pgt_name) AS stream_table, s.status,"
          + " s.effective_mode AS mode, coalesce(s.schedule, 'calculated') AS schedule,"
          + " CASE WHEN s.data_timestamp IS NULL THEN 'never populated' ELSE"
          + "   to_char(extract(epoch FROM clock_timestamp() - s.data_timestamp), 'FM999999990.0')"
          + "   || ' s' END AS staleness,"
          + " CASE WHEN h.refresh_id IS NULL THEN '' ELSE h.action || ' ' || h.status"
          + "   || ' at ' || to_char(h.start_time, 'YYYY-MM-DD HH24:MI:SS')"
          + "   || coalesce(', ' || round(extract(epoch FROM h.end_time - h.start_time) * 1000)"
          + "   || ' ms', '') END AS last_refresh"
          + " FROM pgtrickle.pgt_stream_tables s"
          + " LEFT JOIN LATERAL (SELECT r.refresh_id, r.action, r.status, r.start_time, r.end_time"
          + "   FROM pgtrickle.pgt_refresh_history r WHERE r.pgt_id = s.pgt_id"
          + "   ORDER BY r.refresh_id DESC LIMIT 1) h ON true"
          + " ORDER BY s.pgt_schema, s.pgt_name";

  @Mixin ConnectionOptions connection;

  @Option(names = "--once", description = "Print the view once and exit.")
  boolean once;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      defaultValue = "PT1S",
      description = "Time between views, ISO-8601 (default PT1S: every second).")
  Duration interval;

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "0",
      description = "Stop after N views (default 0: until Ctrl-C).")
  int count;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int views = once ? 1 : count;
    boolean terminal = views != 1 && System.console() != null;
    return Sessions.run(
        connection,
        err,
        session -> {
          ResultPrinter printer = new ResultPrinter(out);
          for (int shown = 0; views == 0 || shown < views; shown++) {
            if (shown > 0 && !sleep(interval)) {
              break;
            }
            if (terminal) {
              out.print(CLEAR);
            }
            try (Statement s = session.connection().createStatement();
                ResultSet rs = s.executeQuery(QUERY)) {
              printer.print(ResultTable.read(title(session, views), rs));
            }
            out.flush();
          }
          return 0;
        });
  }

  private static String title(DatabaseSession session, int views) throws SQLException {
    String title =
        "stream tables of "
            + session.connection().getCatalog()
            + " at "
            + LocalTime.now().withNano(0);
    return views == 1 ? title : title + " (Ctrl-C to stop)";
  }

  /** Waits; false when interrupted (the view stops). */
  private static boolean sleep(Duration interval) {
    try {
      Thread.sleep(interval.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
