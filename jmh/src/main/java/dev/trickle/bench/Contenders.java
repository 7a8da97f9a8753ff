package dev.trickle.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
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
      "SELECT h.action, h.status, h.reason, h.rows_inserted, h.rows_deleted, extract(epoch FROM"
          + " h.end_time - h.start_time) * 1000 FROM pgtrickle.pgt_refresh_history h JOIN"
          + " pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = ? ORDER BY"
          + " h.refresh_id DESC LIMIT 1";

  private final String key;
  private final String sql;
  private final Connection trickle;
  private final Connection plain;
  private final List<String> refusals = new ArrayList<>();
  private String differentialMode;

  private Contenders(String key, String sql, Connection trickle, Connection plain) {
    this.key = key;
    this.sql = sql;
    this.trickle = trickle;
    this.plain = plain;
  }

  /** Creates and populates the three copies of {@code query}. */
  static Contenders create(BenchmarkQuery query, Connection trickle, Connection plain)
      throws SQLException {
    return create(query.key(), query.sql(), List.of("DIFFERENTIAL"), trickle, plain);
  }

  /**
   * Creates and populates the three copies of the query {@code sql} under the name prefix {@code
   * key}. The first contender is created with the first of {@code differentialModes} the driver
   * accepts (e.g. DIFFERENTIAL, then AUTO, then FULL for a query that cannot be DIFFERENTIAL yet);
   * the history tells what its refreshes did.
   */
  static Contenders create(
      String key, String sql, List<String> differentialModes, Connection trickle, Connection plain)
      throws SQLException {
    Contenders c = new Contenders(key, sql, trickle, plain);
    try {
      c.createFirstAccepted(c.differentialName(), differentialModes);
      c.createStreamTable(c.fullName(), "FULL");
      try (Statement st = plain.createStatement()) {
        st.execute("CREATE MATERIALIZED VIEW " + c.matviewName() + " AS " + sql);
      }
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /**
   * Gives the FULL stream table and the materialized view the same unique index on {@code id}, as
   * a table read by key carries (the materialized view's is rebuilt by every refresh).
   */
  void indexId() throws SQLException {
    try (Statement st = plain.createStatement()) {
      st.execute("CREATE UNIQUE INDEX ON " + fullName() + " (id)");
      st.execute("CREATE UNIQUE INDEX ON " + matviewName() + " (id)");
    }
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

  /**
   * Reads the query's result once, untimed, on the plain connection: the first reader of changed
   * source rows sets their hint bits, a cost neither recomputing contender should carry alone.
   */
  void readQuery() throws SQLException {
    timed(plain, "SELECT count(*) FROM (" + sql + ") AS q");
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
    return differences(differentialName(), "(" + sql + ")");
  }

  /**
   * Rows in which {@code table} and {@code expected} (a parenthesized query or {@code TABLE x})
   * disagree as multisets.
   */
  long differences(String table, String expected) throws SQLException {
    String compare =
        "SELECT (SELECT count(*) FROM ((TABLE "
            + table
            + ") EXCEPT ALL "
            + expected
            + ") a)"
            + " + (SELECT count(*) FROM ("
            + expected
            + " EXCEPT ALL (TABLE "
            + table
            + ")) b)";
    try (Statement st = plain.createStatement();
        ResultSet rs = st.executeQuery(compare)) {
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
    return key + "_diff";
  }

  String fullName() {
    return key + "_full";
  }

  String matviewName() {
    return key + "_mv";
  }

  /** The mode the first contender was created with. */
  String differentialMode() {
    return differentialMode;
  }

  private void createFirstAccepted(String name, List<String> modes) throws SQLException {
    SQLException refused = null;
    for (String mode : modes) {
      try {
        createStreamTable(name, mode);
        differentialMode = mode;
        return;
      } catch (SQLException e) {
        if (refused == null) {
          refused = e;
        } else {
          refused.addSuppressed(e);
        }
        refusals.add(
            mode
                + " refused ("
                + e.getSQLState()
                + "): "
                + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    throw refused;
  }

  /** Why the modes tried before {@link #differentialMode()} were refused, one line each. */
  List<String> refusals() {
    return List.copyOf(refusals);
  }

  private void createStreamTable(String name, String mode) throws SQLException {
    try (Statement st = trickle.createStatement()) {
      st.execute(
          "SELECT pgtrickle.create_stream_table(name => '" + name + "', query => $$" + sql
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
