package dev.trickle.capture;

import dev.trickle.catalog.Column;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.SqlState;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs, updates and removes the capture of one source relation (see {@link ChangeBuffer}).
 *
 * <p>Statement-level AFTER triggers with transition tables call one PL/pgSQL function per source,
 * created by the catalog function {@code pgtrickle.create_capture_function(oid)} (catalog V25),
 * which copies the statement's rows into the buffer with one set-based {@code INSERT ... SELECT}:
 * INSERT writes {@code 'I'} rows, DELETE {@code 'D'} rows, UPDATE {@code 'D'} rows of the old
 * images then {@code 'I'} rows of the new ones, in one statement (so primary-key updates need
 * nothing special), TRUNCATE one {@code 'T'} marker. The values go into the buffer's typed
 * columns by position ({@code n.*}), while a check before the statement (function calls, no query
 * unless the source's file changed) finds the source with the columns the function was written
 * for; otherwise, after a column was added or dropped, or a rewrite changed a type, the row goes
 * in whole as {@code row_to_json} of the transition table's row. The function names no column of
 * the source, so adding, dropping, renaming or retyping any source column never breaks a write to
 * it (a refresh finds out what changed, {@code dev.trickle.refresh.SourceDrift}); {@link #ensure}
 * writes it again for the source as it is. It runs as its owner ({@code SECURITY DEFINER}), so
 * roles that write the source need no rights on the buffer and roles that cannot write the source
 * cannot write the buffer; it has no {@code SET} clause and names everything schema-qualified. It
 * takes the writing transaction's id once per statement (not once per row, as a column default
 * would). It sends {@code NOTIFY pgtrickle_changes, '<source oid>'} for a statement that changed
 * rows only while the scheduler's leader has the source armed in {@code
 * pgtrickle.pgt_change_wakeups} (PostgreSQL folds the repeats of a transaction into one): a
 * notifying transaction holds the notification queue's lock through its commit, so notifying
 * commits of all sessions serialize, and the leader needs one wake-up, not one per write.
 *
 * <p>A source captured from the WAL ({@link WalCaptureMoves}) has the same buffer and function but
 * no triggers; the scheduler's leader fills its buffer ({@link WalConsumer}).
 *
 * <p>A partitioned table gets the triggers on the parent and on every partition: a statement fires
 * only the statement triggers of the table it names, so each write is captured exactly once, into
 * the parent's buffer. Partitions attached later get no triggers until capture is ensured again.
 */
public final class ChangeCapture {
  private static final String INSERT_TRIGGER = ChangeBuffer.TRIGGER_NAMES.get(0);
  private static final String UPDATE_TRIGGER = ChangeBuffer.TRIGGER_NAMES.get(1);
  private static final String DELETE_TRIGGER = ChangeBuffer.TRIGGER_NAMES.get(2);
  private static final String TRUNCATE_TRIGGER = ChangeBuffer.TRIGGER_NAMES.get(3);
  private static final String RESERVED_PREFIX = "__pgt_";

  private ChangeCapture() {}

  /** True when the source already has a change buffer. */
  public static boolean isInstalled(Connection c, long sourceRelid) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, new ChangeBuffer(sourceRelid).qualifiedTable());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /**
   * Installs capture for the source, or brings its capture function (and the buffer's typed
   * columns) up to date with the source's columns now. Creating triggers locks the source against
   * writes until the transaction ends.
   *
   * @return true when capture was newly installed
   */
  public static boolean ensure(Connection c, Relation source) throws SQLException {
    for (Column column : source.columns(c)) {
      if (column.name().startsWith(RESERVED_PREFIX)) {
        throw SqlState.INVALID_PARAMETER.exception(
            "column "
                + Sql.display(column.name())
                + " of "
                + source.displayName()
                + " uses the prefix "
                + RESERVED_PREFIX
                + ", which Trickle reserves for its change buffers; rename the column");
      }
    }
    ChangeBuffer buffer = new ChangeBuffer(source.relid());
    boolean existed = isInstalled(c, source.relid());
    try (Statement st = c.createStatement()) {
      if (!existed) {
        st.execute(createBufferSql(buffer));
      }
      st.execute("SELECT pgtrickle.create_capture_function(" + source.relid() + ")");
      if (!capturedFromWal(c, source.relid())) {
        List<Long> targets = new ArrayList<>();
        targets.add(source.relid());
        targets.addAll(source.partitions(c));
        for (long target : targets) {
          createMissingTriggers(c, st, buffer, target);
        }
      }
    }
    register(c, source, buffer);
    return !existed;
  }

  /**
   * Removes the source's capture: the trigger function (which takes every capture trigger with
   * it), the buffer and its registration. Works when the source itself was already dropped.
   */
  public static void remove(Connection c, long sourceRelid) throws SQLException {
    ChangeBuffer buffer = new ChangeBuffer(sourceRelid);
    if (capturedFromWal(c, sourceRelid)) {
      WalCaptureMoves.leavePublication(c, sourceRelid);
    }
    try (Statement st = c.createStatement()) {
      st.execute("DROP FUNCTION IF EXISTS " + buffer.qualifiedFunction() + "() CASCADE");
      st.execute("DROP TABLE IF EXISTS " + buffer.qualifiedTable());
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "WITH wakeup AS (DELETE FROM pgtrickle.pgt_change_wakeups WHERE source_relid = ?::oid)"
                + " DELETE FROM pgtrickle.pgt_change_buffers WHERE source_relid = ?::oid")) {
      ps.setLong(1, sourceRelid);
      ps.setLong(2, sourceRelid);
      ps.executeUpdate();
    }
  }

  /**
   * True when the source is captured from the WAL ({@link WalCaptureMoves}): it has no capture
   * triggers, and must not get any.
   */
  public static boolean capturedFromWal(Connection c, long sourceRelid) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT FROM pgtrickle.pgt_change_buffers WHERE source_relid = ?::oid"
                + " AND capture = 'wal'")) {
      ps.setLong(1, sourceRelid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static String createBufferSql(ChangeBuffer buffer) {
    return "CREATE TABLE "
        + buffer.qualifiedTable()
        + " (__pgt_seq bigint GENERATED ALWAYS AS IDENTITY,"
        + " __pgt_xid xid8 NOT NULL DEFAULT pg_current_xact_id(),"
        + " __pgt_op \"char\" NOT NULL, "
        + ChangeBuffer.ROW_COLUMN
        + " json)";
  }

  private static void createMissingTriggers(
      Connection c, Statement st, ChangeBuffer buffer, long target) throws SQLException {
    List<String> present = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT tgname FROM pg_trigger WHERE tgrelid = ?::oid")) {
      ps.setLong(1, target);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          present.add(rs.getString(1));
        }
      }
    }
    String table = Relation.find(c, target).orElseThrow().qualifiedName();
    String call = " FOR EACH STATEMENT EXECUTE FUNCTION " + buffer.qualifiedFunction() + "()";
    if (!present.contains(INSERT_TRIGGER)) {
      st.execute(
          "CREATE TRIGGER " + INSERT_TRIGGER + " AFTER INSERT ON " + table
              + " REFERENCING NEW TABLE AS __pgt_new" + call);
    }
    if (!present.contains(UPDATE_TRIGGER)) {
      st.execute(
          "CREATE TRIGGER " + UPDATE_TRIGGER + " AFTER UPDATE ON " + table
              + " REFERENCING OLD TABLE AS __pgt_old NEW TABLE AS __pgt_new" + call);
    }
    if (!present.contains(DELETE_TRIGGER)) {
      st.execute(
          "CREATE TRIGGER " + DELETE_TRIGGER + " AFTER DELETE ON " + table
              + " REFERENCING OLD TABLE AS __pgt_old" + call);
    }
    if (!present.contains(TRUNCATE_TRIGGER)) {
      st.execute("CREATE TRIGGER " + TRUNCATE_TRIGGER + " AFTER TRUNCATE ON " + table + call);
    }
  }

  private static void register(Connection c, Relation source, ChangeBuffer buffer)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO pgtrickle.pgt_change_buffers (source_relid, source_schema, source_name,"
                + " buffer_name) VALUES (?::oid, ?, ?, ?) ON CONFLICT (source_relid) DO UPDATE"
                + " SET source_schema = excluded.source_schema,"
                + " source_name = excluded.source_name")) {
      ps.setLong(1, source.relid());
      ps.setString(2, source.schema());
      ps.setString(3, source.name());
      ps.setString(4, buffer.tableName());
      ps.executeUpdate();
    }
  }
}
