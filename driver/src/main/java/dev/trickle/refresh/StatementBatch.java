package dev.trickle.refresh;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Statements sent to the server as one multi-statement string, so they cost one network round
 * trip instead of one each: PgJDBC sends every statement of the string and a single sync. The
 * server runs them in order and stops at the first error, which is thrown. A refresh is a chain of
 * small statements, and on a fast local connection the round trips cost more than the work.
 */
public final class StatementBatch {
  private final List<String> statements = new ArrayList<>();
  private final Map<Integer, RowsReader> readers = new HashMap<>();

  /** Reads the rows of one query of the batch. */
  @FunctionalInterface
  public interface RowsReader {
    void read(ResultSet rows) throws SQLException;
  }

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

  /** Appends a query whose rows {@code reader} reads when the batch runs; returns its index. */
  public int add(String query, RowsReader reader) {
    int index = add(query);
    readers.put(index, reader);
    return index;
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
   * Runs the statements (none: no round trip) and forgets them. Hands every query that has a
   * reader its rows; returns the update count of every statement and the first row (as text) of
   * the last statement when that is a query without a reader, else an empty row.
   */
  public Result run(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      return run(st);
    }
  }

  /**
   * Like {@link #run(Connection)}, on a statement the caller owns.
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
    Map<Integer, RowsReader> rowsReaders = new HashMap<>(readers);
    String sql = statements.size() == 1 ? statements.get(0) : String.join(";\n", statements);
    statements.clear();
    readers.clear();
    boolean query = st.execute(sql);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        query = st.getMoreResults();
      }
      if (query) {
        try (ResultSet rs = st.getResultSet()) {
          RowsReader reader = rowsReaders.get(i);
          if (reader != null) {
            reader.read(rs);
          } else if (i == n - 1 && rs.next()) {
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
