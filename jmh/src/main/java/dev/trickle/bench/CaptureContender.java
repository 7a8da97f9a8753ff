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
 * #TRIGGER_NOTIFYING} notifies for every statement, as before catalog V15 (and as now while the
 * scheduler's leader has the source armed), {@link #TRIGGER_INVOKER} runs the capture function as
 * the writer instead of {@code SECURITY DEFINER}, {@link #TRIGGER_PER_ROW_XID} takes the
 * transaction id once per row (as the column default did before catalog V15) instead of once per
 * statement, {@link #TRIGGER_JSON} writes every row as a json image (as before catalog V25) instead
 * of into the buffer's typed columns; {@link #TRIGGER_NO_SEQUENCE} and {@link #TRIGGER_NO_WRITE}
 * take one part of the write away, to show what it costs and where the floor of statement-level
 * trigger capture is. {@link #WAL} captures from the WAL (cdc_mode 'wal'; {@link CaptureWal} runs
 * the consumer). A further way of capturing is one more constant with its own {@link #prepare}.
 */
enum CaptureContender {
  BARE("bare", "no stream table"),
  TRIGGER("trigger", "trigger capture as installed (no scheduler waits, so it does not notify)"),
  TRIGGER_NOTIFYING(
      "trigger, notify", "the capture function notifying for every statement that changed rows"),
  TRIGGER_INVOKER("trigger, invoker", "the capture function `SECURITY INVOKER`"),
  TRIGGER_PER_ROW_XID(
      "trigger, xid per row", "the transaction id taken once per row instead of per statement"),
  TRIGGER_NO_SEQUENCE(
      "trigger, no sequence",
      "the buffer's `__pgt_seq` without its identity sequence (what numbering the rows costs)"),
  TRIGGER_JSON(
      "trigger, json images",
      "every row written as a json image (`row_to_json`, as before catalog V25) instead of into"
          + " the buffer's typed columns"),
  TRIGGER_NO_WRITE(
      "trigger, nothing written",
      "the capture triggers firing with their transition tables, the function writing nothing"
          + " (the floor of any statement-level trigger capture)"),
  WAL("wal", "WAL capture: the table in the publication with `REPLICA IDENTITY FULL`, no triggers,"
      + " decoded by the consumer after each commit");

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
    return PgbenchRig.accountsTable(this);
  }

  /** True for the trigger capture and its variants. */
  boolean triggerVariant() {
    return this != BARE && this != WAL;
  }

  /** The contender's stream table. */
  String streamTable() {
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
          + "$q$, refresh_mode => 'DIFFERENTIAL', schedule => '1h'"
          + (this == WAL ? ", cdc_mode => 'wal'" : "") + ")");
      String function = "pgtrickle_changes.capture_" + relid(st);
      switch (this) {
        case TRIGGER_NOTIFYING ->
            redefine(st, function, "IF FOUND AND EXISTS \\(.*?\\) THEN", "IF FOUND THEN");
        case TRIGGER_INVOKER -> st.execute("ALTER FUNCTION " + function + "() SECURITY INVOKER");
        case TRIGGER_PER_ROW_XID ->
            redefine(st, function, "SELECT x\\.id, ", "SELECT pg_catalog.pg_current_xact_id(), ");
        case TRIGGER_NO_SEQUENCE ->
            st.execute("ALTER TABLE pgtrickle_changes.changes_" + relid(st)
                + " ALTER COLUMN __pgt_seq DROP IDENTITY, ALTER COLUMN __pgt_seq DROP NOT NULL");
        case TRIGGER_JSON -> redefine(st, function, "typed := TG_RELID.*?;", "typed := false;");
        case TRIGGER_NO_WRITE ->
            redefine(
                st, function, "BEGIN\\s*\\n\\s*IF TG_OP.*?(?=\\n\\s*IF FOUND)", "BEGIN\n  RETURN NULL;");
        default -> { }
      }
    }
  }

  /** Replaces every match of {@code regex} in the definition of {@code function}. */
  private static void redefine(Statement st, String function, String regex, String replacement)
      throws SQLException {
    String definition;
    try (ResultSet rs =
        st.executeQuery("SELECT pg_get_functiondef('" + function + "'::regproc)")) {
      rs.next();
      definition = rs.getString(1);
    }
    String changed =
        java.util.regex.Pattern.compile(regex, java.util.regex.Pattern.DOTALL)
            .matcher(definition)
            .replaceAll(replacement);
    if (changed.equals(definition)) {
      throw new IllegalStateException("no match for " + regex + " in " + function);
    }
    st.execute(changed);
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
