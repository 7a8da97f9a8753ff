package dev.trickle.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What a write to an accounts table pays for in the capture benchmark. Each contender has its own
 * copy of {@code pgbench_accounts} ({@link #table}), so the benchmark can alternate between them
 * statement by statement. {@link #BARE}: no capture. {@link #TRIGGER}: one DIFFERENTIAL stream
 * table reads the table, so its writes fire Trickle's capture triggers as the driver installs them.
 * The others are the trigger capture with one cost changed, to measure each cost on its own: {@link
 * #TRIGGER_WITH_SET_CLAUSE} puts back the {@code SET search_path} clause the capture function had
 * before catalog V13, {@link #TRIGGER_INVOKER} runs it as the writer instead of {@code SECURITY
 * DEFINER}, {@link #TRIGGER_WITHOUT_NOTIFY} leaves out its {@code pg_notify}. A further way of
 * capturing is one more constant with its own {@link #prepare}.
 */
enum CaptureContender {
  BARE("bare", "no stream table"),
  TRIGGER("trigger", "trigger capture as installed"),
  TRIGGER_WITH_SET_CLAUSE(
      "trigger + SET clause", "the capture function with `SET search_path = pg_catalog, pg_temp`"),
  TRIGGER_INVOKER("trigger, invoker", "the capture function `SECURITY INVOKER`"),
  TRIGGER_WITHOUT_NOTIFY("trigger, no notify", "the capture function without `pg_notify`");

  /** The stream table every trigger contender creates on its accounts table. */
  static final String STREAM_TABLE_QUERY =
      "SELECT bid, count(*) AS n, sum(abalance) AS total FROM pgbench_accounts GROUP BY bid";

  final String label;
  final String description;

  CaptureContender(String label, String description) {
    this.label = label;
    this.description = description;
  }

  /** The contender's copy of {@code pgbench_accounts}: {@code pgbench_accounts_<name>}. */
  String table() {
    return "pgbench_accounts_" + name().toLowerCase(java.util.Locale.ROOT);
  }

  private String streamTable() {
    return "capture_" + name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Sets the contender up on its table through the Trickle connection {@code trickle}. */
  void prepare(Connection trickle) throws SQLException {
    if (this == BARE) {
      return;
    }
    try (Statement st = trickle.createStatement()) {
      st.execute("SELECT pgtrickle.create_stream_table('" + streamTable() + "', $q$"
          + STREAM_TABLE_QUERY.replace("pgbench_accounts", table())
          + "$q$, refresh_mode => 'DIFFERENTIAL', schedule => '1h')");
      String function = "pgtrickle_changes.capture_" + relid(st);
      switch (this) {
        case TRIGGER_WITH_SET_CLAUSE ->
            st.execute("ALTER FUNCTION " + function + "() SET search_path = pg_catalog, pg_temp");
        case TRIGGER_INVOKER -> st.execute("ALTER FUNCTION " + function + "() SECURITY INVOKER");
        case TRIGGER_WITHOUT_NOTIFY -> {
          String definition;
          try (ResultSet rs = st.executeQuery(
              "SELECT pg_get_functiondef('" + function + "'::regproc)")) {
            rs.next();
            definition = rs.getString(1);
          }
          String without = definition.replaceAll("PERFORM pg_catalog\\.pg_notify\\([^)]*\\);",
              "NULL;");
          if (without.equals(definition)) {
            throw new IllegalStateException("no pg_notify found in " + function);
          }
          st.execute(without);
        }
        default -> { }
      }
    }
  }

  /** Consumes what the contender's capture wrote, untimed: a refresh of the stream table. */
  void consume(Connection trickle) throws SQLException {
    if (this != BARE) {
      try (Statement st = trickle.createStatement()) {
        st.execute("SELECT pgtrickle.refresh_stream_table('" + streamTable() + "')");
      }
    }
  }

  private long relid(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT '" + table() + "'::regclass::oid")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
