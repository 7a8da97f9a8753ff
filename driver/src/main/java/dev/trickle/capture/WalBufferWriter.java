package dev.trickle.capture;

import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.sql.Sql;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes decoded changes into the change buffers, the rows the capture triggers would have written
 * ({@link ChangeBuffer}): {@code 'D'} old images and {@code 'I'} new images, the writing
 * transaction's id as {@code __pgt_xid}, a {@code 'T'} marker for a TRUNCATE. The text values
 * pgoutput sends become a row of the source as it is now through {@code json_populate_record}
 * (matched by column name: the consumer decodes after the fact, when the source may have other
 * columns than the transaction wrote), whose values go into the buffer's typed columns for the
 * source's columns now, or whole as {@code row_to_json} when the buffer lacks a typed column for
 * one of them (until the capture is brought up to date), as the triggers' fallback does. The
 * rows of a batch of transactions and the consumer's new position ({@code
 * pgtrickle.pgt_wal_capture.confirmed_lsn}) commit together; only then may the slot advance.
 *
 * <p>A change is written when the catalog says the source was captured from the WAL when the
 * change's transaction committed: after the move from triggers ({@code wal_from_lsn}) and, after a
 * move back, before it ({@code wal_until_lsn}). A change of any other relation is skipped.
 */
final class WalBufferWriter {
  /** One decoded row image for a buffer. */
  private record Image(long xid8, char op, String row) {}

  /**
   * Where WAL capture of a source began and, after a move back to triggers, ended; the source's
   * columns now and, parallel to them, the buffer's typed columns that hold them (both empty when
   * the buffer lacks one: its rows are then written as json images).
   */
  private record Window(
      long fromLsn,
      long untilLsn,
      String qualifiedSource,
      List<String> columns,
      List<String> typedColumns) {
    boolean covers(long commitLsn) {
      return commitLsn > fromLsn && (untilLsn == 0 || commitLsn < untilLsn);
    }
  }

  private final Map<Long, List<Image>> pending = new LinkedHashMap<>();
  private Map<Long, Window> windows = new HashMap<>();
  private long referenceXid8;

  /** True when nothing waits to be written. */
  boolean isEmpty() {
    return pending.isEmpty();
  }

  /**
   * Adds the changes of one committed transaction.
   *
   * @param c the consumer's connection (to read the capture windows when it meets a relation it
   *     does not know the window of)
   */
  void add(Connection c, WalTransaction tx) throws SQLException {
    long xid8 = fullXid(c, tx.xid());
    for (WalTransaction.RowChange change : tx.changes()) {
      Window window = window(c, change.relid(), tx.commitLsn());
      if (window == null) {
        continue;
      }
      List<Image> images = pending.computeIfAbsent(change.relid(), k -> new ArrayList<>());
      if (change.truncate()) {
        images.add(new Image(xid8, 'T', null));
        continue;
      }
      if (change.oldRow() != null) {
        images.add(new Image(xid8, 'D', change.oldRow()));
      }
      if (change.newRow() != null) {
        images.add(new Image(xid8, 'I', change.newRow()));
      }
    }
  }

  /**
   * Writes what was added and the position {@code confirmedLsn} in one transaction, notifies the
   * scheduler of the sources that changed, and ends captures whose end the consumer passed.
   */
  void commit(Connection c, long confirmedLsn) throws SQLException {
    for (Map.Entry<Long, List<Image>> entry : pending.entrySet()) {
      insert(c, entry.getKey(), entry.getValue());
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "WITH done AS (UPDATE pgtrickle.pgt_change_buffers SET wal_until_lsn = NULL,"
                + " wal_from_lsn = NULL WHERE capture = 'trigger' AND wal_until_lsn <= ?::pg_lsn"
                + " RETURNING source_relid)"
                + " UPDATE pgtrickle.pgt_wal_capture SET confirmed_lsn = ?::pg_lsn,"
                + " confirmed_at = now() WHERE confirmed_lsn < ?::pg_lsn")) {
      String lsn = WalPositions.text(confirmedLsn);
      ps.setString(1, lsn);
      ps.setString(2, lsn);
      ps.setString(3, lsn);
      ps.executeUpdate();
    }
    for (Long relid : pending.keySet()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify('pgtrickle_changes', ?)")) {
        ps.setString(1, relid.toString());
        ps.execute();
      }
    }
    c.commit();
    pending.clear();
    windows = new HashMap<>();
    referenceXid8 = 0;
  }

  /** Forgets what was added (after a failed write, whose transaction was rolled back). */
  void discard() {
    pending.clear();
    windows = new HashMap<>();
    referenceXid8 = 0;
  }

  private void insert(Connection c, long relid, List<Image> images) throws SQLException {
    String buffer = new ChangeBuffer(relid).qualifiedTable();
    Window window = windows.get(relid);
    String[] xids = new String[images.size()];
    String[] ops = new String[images.size()];
    String[] rows = new String[images.size()];
    for (int i = 0; i < images.size(); i++) {
      xids[i] = Long.toUnsignedString(images.get(i).xid8());
      ops[i] = String.valueOf(images.get(i).op());
      rows[i] = images.get(i).row();
    }
    try (PreparedStatement ps = c.prepareStatement(insertSql(buffer, window))) {
      Array xidArray = c.createArrayOf("text", xids);
      Array opArray = c.createArrayOf("text", ops);
      Array rowArray = c.createArrayOf("text", rows);
      ps.setArray(1, xidArray);
      ps.setArray(2, opArray);
      ps.setArray(3, rowArray);
      ps.executeUpdate();
    }
  }

  /**
   * The insert of a batch's images into {@code buffer}: each pgoutput row, as json, becomes a row
   * of the source through {@code json_populate_record}, whose columns go into the buffer's typed
   * columns, or, when the buffer lacks one, whole into the json image.
   */
  private static String insertSql(String buffer, Window window) {
    String rows = " FROM unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS u(x, op, r, n)";
    String populated =
        "pg_catalog.json_populate_record(NULL::" + window.qualifiedSource() + ", u.r::json)";
    if (window.typedColumns().isEmpty()) {
      return "INSERT INTO " + buffer + " (__pgt_xid, __pgt_op, " + ChangeBuffer.ROW_COLUMN + ")"
          + " SELECT u.x::xid8, u.op::\"char\", CASE WHEN u.r IS NOT NULL THEN"
          + " pg_catalog.row_to_json(" + populated + ") END"
          + rows + " ORDER BY u.n";
    }
    List<String> values = new ArrayList<>();
    for (String column : window.columns()) {
      values.add("v." + Sql.identifier(column));
    }
    return "INSERT INTO " + buffer + " (__pgt_xid, __pgt_op, "
        + Sql.identifiers(window.typedColumns()) + ")"
        + " SELECT u.x::xid8, u.op::\"char\", " + String.join(", ", values)
        + rows + " LEFT JOIN LATERAL " + populated + " AS v ON u.r IS NOT NULL ORDER BY u.n";
  }

  /** The window of {@code relid} covering {@code commitLsn}, or null: the change is not ours. */
  private Window window(Connection c, long relid, long commitLsn) throws SQLException {
    Window known = windows.get(relid);
    if (known == null || !known.covers(commitLsn)) {
      known = readWindow(c, relid);
      if (known == null) {
        windows.remove(relid);
        return null;
      }
      windows.put(relid, known);
    }
    return known.covers(commitLsn) ? known : null;
  }

  private static Window readWindow(Connection c, long relid) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT (b.wal_from_lsn - '0/0'::pg_lsn)::text AS from_lsn,"
                + " (b.wal_until_lsn - '0/0'::pg_lsn)::text AS until_lsn,"
                + " n.nspname, r.relname, cols.names, cols.typed, cols.complete"
                + " FROM pgtrickle.pgt_change_buffers b"
                + " JOIN pg_catalog.pg_class r ON r.oid = b.source_relid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                + " CROSS JOIN LATERAL (SELECT array_agg(a.attname::text ORDER BY a.attnum) AS names,"
                + " array_agg(t.attname::text ORDER BY a.attnum) AS typed,"
                + " bool_and(t.attname IS NOT NULL) AS complete"
                + " FROM pg_catalog.pg_attribute a LEFT JOIN pg_catalog.pg_attribute t"
                + " ON t.attrelid = to_regclass(pg_catalog.format('pgtrickle_changes.%I',"
                + " b.buffer_name)) AND t.attname = " + ChangeBuffer.typedColumnName("a")
                + " AND NOT t.attisdropped"
                + " WHERE a.attrelid = b.source_relid AND a.attnum > 0 AND NOT a.attisdropped) cols"
                + " WHERE b.source_relid = ?::oid AND b.wal_from_lsn IS NOT NULL"
                + " AND to_regclass(pg_catalog.format('pgtrickle_changes.%I', b.buffer_name))"
                + " IS NOT NULL")) {
      ps.setLong(1, relid);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        String until = rs.getString("until_lsn");
        boolean typed = rs.getBoolean("complete");
        return new Window(
            Long.parseUnsignedLong(rs.getString("from_lsn")),
            until == null ? 0 : Long.parseUnsignedLong(until),
            Sql.qualified(rs.getString("nspname"), rs.getString("relname")),
            typed ? StreamTableCatalog.textArray(rs.getArray("names")) : List.of(),
            typed ? StreamTableCatalog.textArray(rs.getArray("typed")) : List.of());
      }
    }
  }

  /**
   * The 64-bit id ({@code xid8}) of a decoded 32-bit transaction id ({@link FullXid}), around the
   * server's next transaction id, read once per batch.
   */
  private long fullXid(Connection c, int xid) throws SQLException {
    if (referenceXid8 == 0) {
      try (PreparedStatement ps =
              c.prepareStatement("SELECT pg_snapshot_xmax(pg_current_snapshot())::text");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        referenceXid8 = Long.parseUnsignedLong(rs.getString(1));
      }
    }
    return FullXid.of(referenceXid8, xid);
  }
}
