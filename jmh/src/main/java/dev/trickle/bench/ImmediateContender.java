package dev.trickle.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * What a write to an accounts table pays for in the IMMEDIATE benchmark. Each contender has its own
 * copy of {@code pgbench_accounts} ({@link #table}), so the benchmark can alternate between them
 * statement by statement: {@link #BARE} has no stream table, {@link #JOIN} and {@link #AGGREGATE}
 * one IMMEDIATE stream table each (the two views whose pg_ivm cost is known).
 */
enum ImmediateContender {
  BARE("bare", null),
  JOIN(
      "IMMEDIATE join",
      "SELECT a.aid, a.abalance, b.bbalance FROM pgbench_accounts a JOIN pgbench_branches b"
          + " ON a.bid = b.bid"),
  AGGREGATE(
      "IMMEDIATE aggregate",
      "SELECT bid, count(*) AS n, sum(abalance) AS total FROM pgbench_accounts GROUP BY bid");

  final String label;
  private final String query;

  ImmediateContender(String label, String query) {
    this.label = label;
    this.query = query;
  }

  /** The contender's copy of {@code pgbench_accounts}. */
  String table() {
    return PgbenchRig.accountsTable(this);
  }

  /** The defining query of its stream table, over its own table; null for {@link #BARE}. */
  String query() {
    return query == null ? null : query.replace("pgbench_accounts", table());
  }

  /** The stream table's name. */
  String streamTable() {
    return "imm_" + name().toLowerCase(Locale.ROOT);
  }

  /** Creates the stream table through the Trickle connection {@code trickle}. */
  void prepare(Connection trickle) throws SQLException {
    if (query == null) {
      return;
    }
    try (Statement st = trickle.createStatement()) {
      st.execute("SELECT pgtrickle.create_stream_table('" + streamTable() + "', $q$" + query()
          + "$q$, refresh_mode => 'IMMEDIATE')");
    }
  }
}
