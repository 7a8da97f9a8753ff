package dev.trickle.refresh;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGStatement;

/**
 * Statements sent to the server as one multi-statement string, so they cost one network round
 * trip instead of one each: PgJDBC sends every statement of the string and a single sync. The
 * server runs them in order and stops at the first error, which is thrown. A refresh is a chain of
 * small statements, and on a fast local connection the round trips cost more than the work.
 */
public final class StatementBatch {
  private final List<String> statements = new ArrayList<>();
  private final Map<Integer, RowsReader> readers = new HashMap<>();
  private final List<Object> values = new ArrayList<>();
  /** The statements added with {@link #addQuery}, whose first row the result holds. */
  private final Set<Integer> queries = new HashSet<>();
  /** Whether {@link OwnerExecutor} may plan the statements once per session. */
  private boolean plannedOnce;

  /** Reads the rows of one query of the batch. */
  @FunctionalInterface
  public interface RowsReader {
    void read(ResultSet rows) throws SQLException;
  }

  /**
   * What a run returned.
   *
   * @param counts the update count of every statement (0 for statements without one, and queries)
   * @param lastRow the first row (as text) of the last statement when that is a query without a
   *     reader, else an empty row
   * @param rows the first row of every statement added with {@link #addQuery}, by index
   */
  public record Result(long[] counts, List<String> lastRow, Map<Integer, ResultRow> rows) {
    /** Copies the rows. */
    public Result {
      rows = Map.copyOf(rows);
    }

    /** The update count of statement {@code i} (0 for statements without one or for queries). */
    public long count(int i) {
      return counts[i];
    }

    /** The first row of statement {@code i}, added with {@link #addQuery}. */
    public ResultRow row(int i) {
      ResultRow row = rows.get(i);
      if (row == null) {
        throw new IllegalStateException("statement " + i + " was not added as a query");
      }
      return row;
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

  /**
   * Appends a query whose first row the result holds ({@link Result#row}), read by column name;
   * returns its index. The only kind of query {@link OwnerExecutor} sends.
   */
  public int addQuery(String query) {
    int index = add(query);
    queries.add(index);
    return index;
  }

  /**
   * Appends a statement of Trickle's own whose {@code ?} placeholders take {@code statementValues}
   * in order (null for SQL NULL), so its text, and with it the server's prepared statement, stays
   * the same from run to run. A batch with values always runs prepared: every statement in it must
   * be Trickle's own text, never user SQL, whose {@code ?} may be an operator.
   */
  public int addWithValues(String sql, Object... statementValues) {
    values.addAll(Arrays.asList(statementValues));
    return add(sql);
  }

  /**
   * Appends a query of Trickle's own with bound values ({@link #addWithValues}) whose rows {@code
   * reader} reads when the batch runs; returns its index.
   */
  public int addQueryWithValues(String query, RowsReader reader, Object... queryValues) {
    int index = addWithValues(query, queryValues);
    readers.put(index, reader);
    return index;
  }

  /** The statements added so far, in order. */
  List<String> statements() {
    return List.copyOf(statements);
  }

  /** How many statements were added. */
  int size() {
    return statements.size();
  }

  /**
   * Marks the batch's statements as ones that return no rows (writes, DDL, {@code DO} blocks) and
   * recur from refresh to refresh (a differential program, a FULL apply): {@link OwnerExecutor}
   * then runs them as a function of the session made from their text, planned once per session,
   * instead of planning each one on every run. Kept across {@link #run}s of the batch.
   */
  public StatementBatch plannedOncePerSession() {
    plannedOnce = true;
    return this;
  }

  /** Whether the batch was marked {@link #plannedOncePerSession} and holds no query. */
  boolean plansOnce() {
    return plannedOnce && queries.isEmpty();
  }

  /** Whether statement {@code i} was added with {@link #addQuery}. */
  boolean isQuery(int i) {
    return queries.contains(i);
  }

  /** Whether a statement has a reader of its rows or takes bound values. */
  boolean needsConnection() {
    return !readers.isEmpty() || !values.isEmpty();
  }

  /** Forgets the statements added so far (after another transport sent them). */
  void clear() {
    statements.clear();
    readers.clear();
    values.clear();
    queries.clear();
  }

  /**
   * Runs the statements (none: no round trip) and forgets them. Hands every query that has a
   * reader its rows; returns the update count of every statement and the first row (as text) of
   * the last statement when that is a query without a reader, else an empty row.
   *
   * <p>The text runs as a PgJDBC prepared statement, prepared on the server from its first run
   * ({@link #prepareAtOnce}): PgJDBC keeps the statements of a text it has seen prepared, so the
   * next run of the same text on the connection neither parses nor plans them again. A refresh
   * sends the same texts every time for a stream table, and for small refreshes parsing and
   * planning cost more than the work. A text without values ({@link #addWithValues}) that
   * contains {@code ?} or <code>{</code> runs as plain statements instead: in a prepared text
   * PgJDBC would read {@code ?} (the jsonb operator, say) as a parameter and <code>{</code> as the
   * start of a JDBC escape.
   */
  public Result run(Connection c) throws SQLException {
    int n = statements.size();
    if (n == 0) {
      return new Result(new long[0], List.of(), Map.of());
    }
    Map<Integer, RowsReader> rowsReaders = new HashMap<>(readers);
    for (int query : queries) {
      rowsReaders.put(query, null);
    }
    List<Object> bound = new ArrayList<>(values);
    String sql = n == 1 ? statements.get(0) : String.join(";\n", statements);
    clear();
    if (!bound.isEmpty() || (sql.indexOf('?') < 0 && sql.indexOf('{') < 0)) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        prepareAtOnce(ps);
        for (int i = 0; i < bound.size(); i++) {
          if (bound.get(i) == null) {
            ps.setNull(i + 1, Types.OTHER);
          } else {
            ps.setObject(i + 1, bound.get(i));
          }
        }
        return results(ps, ps.execute(), n, rowsReaders);
      }
    }
    try (Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      return results(st, st.execute(sql), n, rowsReaders);
    }
  }

  /**
   * Has PgJDBC prepare the text on the server from its first run rather than its fifth: a stream
   * table's refresh texts recur, and a benchmark or a rarely refreshed stream table would otherwise
   * pay the parsing and planning five times. A connection with server-side preparation off ({@code
   * prepareThreshold=0}, as for a transaction-mode pooler) keeps it off.
   */
  private static void prepareAtOnce(PreparedStatement ps) throws SQLException {
    if (ps.isWrapperFor(PGStatement.class)) {
      PGStatement pg = ps.unwrap(PGStatement.class);
      if (pg.getPrepareThreshold() > 1) {
        pg.setPrepareThreshold(1);
      }
    }
  }

  private static Result results(
      Statement st, boolean query, int n, Map<Integer, RowsReader> rowsReaders)
      throws SQLException {
    long[] counts = new long[n];
    List<String> lastRow = List.of();
    Map<Integer, ResultRow> rows = new HashMap<>();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        query = st.getMoreResults();
      }
      if (query) {
        try (ResultSet rs = st.getResultSet()) {
          RowsReader reader = rowsReaders.get(i);
          if (reader != null) {
            reader.read(rs);
          } else if (rowsReaders.containsKey(i)) {
            rows.put(i, rs.next() ? namedRow(rs) : ResultRow.NONE);
          } else if (i == n - 1 && rs.next()) {
            lastRow = firstRow(rs);
          }
        }
      } else {
        counts[i] = Math.max(0, st.getLargeUpdateCount());
      }
    }
    return new Result(counts, lastRow, rows);
  }

  private static ResultRow namedRow(ResultSet rs) throws SQLException {
    int columns = rs.getMetaData().getColumnCount();
    List<String> names = new ArrayList<>(columns);
    for (int c = 1; c <= columns; c++) {
      names.add(rs.getMetaData().getColumnLabel(c));
    }
    return new ResultRow(names, firstRow(rs));
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
