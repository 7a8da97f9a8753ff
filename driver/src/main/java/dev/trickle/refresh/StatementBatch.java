package dev.trickle.refresh;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Statements sent to the server as one multi-statement string, so they cost one network round
 * trip instead of one each: PgJDBC sends every statement of the string and a single sync. The
 * server runs them in order and stops at the first error, which is thrown. A refresh is a chain of
 * small statements, and on a fast local connection the round trips cost more than the work.
 */
public final class StatementBatch {
  private final List<String> statements = new ArrayList<>();

  /** What a run returned. */
  public record Result(long[] counts, List<String> lastRow) {
    /** The update count of statement {@code i} (0 for statements without one or for queries). */
    public long count(int i) {
      return counts[i];
    }
  }

  /** Appends a statement; returns its index in the results. */
  public int add(String sql) {
    statements.add(sql);
    return statements.size() - 1;
  }

  /** Appends statements. */
  public void addAll(List<String> sql) {
    statements.addAll(sql);
  }

  /** True when nothing was added. */
  public boolean isEmpty() {
    return statements.isEmpty();
  }

  /**
   * Runs the statements (none: no round trip) and forgets them. Returns the update count of every
   * statement and the first row (as text) of the last statement when that is a query, else an empty
   * row.
   *
   * @param st a statement with escape processing off (the texts are plain SQL)
   */
  public Result run(Statement st) throws SQLException {
    long[] counts = new long[statements.size()];
    List<String> lastRow = List.of();
    if (statements.isEmpty()) {
      return new Result(counts, lastRow);
    }
    int n = statements.size();
    boolean query = st.execute(statements.size() == 1 ? statements.get(0) : String.join(";\n", statements));
    statements.clear();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        query = st.getMoreResults();
      }
      if (query) {
        try (ResultSet rs = st.getResultSet()) {
          if (i == n - 1 && rs.next()) {
            lastRow = firstRow(rs);
          }
        }
      } else {
        counts[i] = Math.max(0, st.getLargeUpdateCount());
      }
    }
    return new Result(counts, lastRow);
  }

  private static List<String> firstRow(ResultSet rs) throws SQLException {
    int columns = rs.getMetaData().getColumnCount();
    List<String> row = new ArrayList<>(columns);
    for (int c = 1; c <= columns; c++) {
      row.add(rs.getString(c));
    }
    return row;
  }
}
