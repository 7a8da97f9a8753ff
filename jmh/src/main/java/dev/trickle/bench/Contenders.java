package dev.trickle.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The three maintained copies of one query that the benchmark races: a DIFFERENTIAL stream table
 * ({@code <key>_diff}), a FULL stream table ({@code <key>_full}) and a materialized view ({@code
 * <key>_mv}). Stream tables are created and refreshed through the Trickle connection; the
 * materialized view through a plain connection, as psql would. Every refresh is timed on the client
 * (wall clock around the call, which is what an application waits for).
 */
final class Contenders implements AutoCloseable {
  private static final String HISTORY =
      "SELECT h.action, h.status, h.reason, h.rows_inserted, h.rows_deleted,"
          + " extract(epoch FROM h.end_time - h.start_time) * 1000"
          + " FROM pgtrickle.pgt_refresh_history h JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
          + " WHERE s.pgt_name = ? ORDER BY h.refresh_id DESC LIMIT 1";

  private final BenchmarkQuery query;
  private final Connection trickle;
  private final Connection plain;

  private Contenders(BenchmarkQuery query, Connection trickle, Connection plain) {
    this.query = query;
    this.trickle = trickle;
    this.plain = plain;
  }

  /** Creates and populates the three copies of {@code query}. */
  static Contenders create(BenchmarkQuery query, Connection trickle, Connection plain)
      throws SQLException {
    Contenders c = new Contenders(query, trickle, plain);
    try {
      c.createStreamTable(c.differentialName(), "DIFFERENTIAL");
      c.createStreamTable(c.fullName(), "FULL");
      try (Statement st = plain.createStatement()) {
        st.execute("CREATE MATERIALIZED VIEW " + c.matviewName() + " AS " + query.sql());
      }
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Refreshes the DIFFERENTIAL stream table; returns the client-side milliseconds. */
  double refreshDifferential() throws SQLException {
    return refreshStreamTable(differentialName());
  }

  /** Refreshes the FULL stream table; returns the client-side milliseconds. */
  double refreshFull() throws SQLException {
    return refreshStreamTable(fullName());
  }

  /** {@code REFRESH MATERIALIZED VIEW}; returns the client-side milliseconds. */
  double refreshMatview() throws SQLException {
    return timed(plain, "REFRESH MATERIALIZED VIEW " + matviewName());
  }

  /** What the last refresh of the DIFFERENTIAL stream table did, per the history. */
  RefreshRecord lastDifferential() throws SQLException {
    return lastRefresh(differentialName());
  }

  /** What the last refresh of the FULL stream table did, per the history. */
  RefreshRecord lastFull() throws SQLException {
    return lastRefresh(fullName());
  }

  /**
   * Rows in which the DIFFERENTIAL stream table and its query disagree: {@code (table EXCEPT ALL
   * query)} plus {@code (query EXCEPT ALL table)}; 0 when it is correct.
   */
  long differentialDifferences() throws SQLException {
    String table = differentialName();
    String sql = "SELECT (SELECT count(*) FROM ((TABLE " + table + ") EXCEPT ALL (" + query.sql() + ")) a)"
        + " + (SELECT count(*) FROM ((" + query.sql() + ") EXCEPT ALL (TABLE " + table + ")) b)";
    try (Statement st = plain.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Drops the three copies (whatever of them exists). */
  @Override
  public void close() throws SQLException {
    try (Statement st = trickle.createStatement()) {
      for (String name : new String[] {differentialName(), fullName()}) {
        if (streamTableExists(name)) {
          st.execute("SELECT pgtrickle.drop_stream_table('" + name + "')");
        }
      }
    }
    try (Statement st = plain.createStatement()) {
      st.execute("DROP MATERIALIZED VIEW IF EXISTS " + matviewName());
    }
  }

  /**
   * The three tables as their creation filled them, for {@link BenchmarkServer#quiesce} to vacuum
   * once before the warm-up, as autovacuum does after that many inserts in any deployment: a table
   * never vacuumed makes the first reader of each page set its rows' hint bits, and the
   * DIFFERENTIAL refreshes touch a few random pages of the storage each.
   */
  List<String> populatedTables() {
    return List.of(differentialName(), fullName(), matviewName());
  }

  /**
   * The tables every refresh rewrites whole (the FULL stream table and the materialized view), for
   * {@link BenchmarkServer#quiesce} to vacuum between timed refreshes.
   */
  List<String> rewrittenTables() {
    return List.of(fullName(), matviewName());
  }

  String differentialName() {
    return query.key() + "_diff";
  }

  String fullName() {
    return query.key() + "_full";
  }

  String matviewName() {
    return query.key() + "_mv";
  }

  private void createStreamTable(String name, String mode) throws SQLException {
    try (Statement st = trickle.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table(name => '" + name + "', query => $$" + query.sql()
              + "$$, schedule => '1h', refresh_mode => '" + mode + "')");
    }
  }

  private double refreshStreamTable(String name) throws SQLException {
    return timed(trickle, "SELECT pgtrickle.refresh_stream_table('" + name + "')");
  }

  private static double timed(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      long start = System.nanoTime();
      st.execute(sql);
      return (System.nanoTime() - start) / 1_000_000.0;
    }
  }

  private boolean streamTableExists(String name) throws SQLException {
    try (PreparedStatement ps =
        plain.prepareStatement("SELECT 1 FROM pgtrickle.pgt_stream_tables WHERE pgt_name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private RefreshRecord lastRefresh(String name) throws SQLException {
    try (PreparedStatement ps = plain.prepareStatement(HISTORY)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return new RefreshRecord("NONE", "NONE", "no history row", 0, 0, 0);
        }
        return new RefreshRecord(
            rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getDouble(6));
      }
    }
  }
}
