package dev.trickle.testing;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The checks refresh tests make after each refresh, as SQL on a statement: the oracle (a stream
 * table against its defining query, as multisets) and what the history recorded.
 */
public final class StreamTableChecks {
  private StreamTableChecks() {}

  /** Rows in {@code table} not in {@code query} plus rows in {@code query} not in {@code table}. */
  public static long difference(Statement s, String table, String query) throws SQLException {
    return value(s, "SELECT (SELECT count(*) FROM ((TABLE " + table + ") EXCEPT ALL (" + query
        + ")) a) + (SELECT count(*) FROM ((" + query + ") EXCEPT ALL (TABLE " + table + ")) b)");
  }

  /** The action of the stream table's latest refresh in the history. */
  public static String lastAction(Statement s, String name) throws SQLException {
    return text(s, "SELECT action FROM pgtrickle.get_refresh_history('" + name
        + "') ORDER BY start_time DESC LIMIT 1");
  }

  /** {@code inserted/deleted} rows of the stream table's latest refresh in the history. */
  public static String lastCounts(Statement s, String name) throws SQLException {
    return text(s, "SELECT rows_inserted || '/' || rows_deleted FROM"
        + " pgtrickle.get_refresh_history('" + name + "') ORDER BY start_time DESC LIMIT 1");
  }

  /** The first column of the first row of {@code query}, as a number. */
  public static long value(Statement s, String query) throws SQLException {
    return Long.parseLong(text(s, query));
  }

  /** The first column of the first row of {@code query}, as text. */
  public static String text(Statement s, String query) throws SQLException {
    try (ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
