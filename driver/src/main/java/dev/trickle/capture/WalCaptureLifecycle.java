package dev.trickle.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the scheduler's leader does about WAL capture at each check: compares how each source is
 * captured with how its readers' cdc_mode wants it ({@code pgtrickle.wal_capture_plan()}: 'wal'
 * always, 'auto' once nothing is missing for logical decoding), creates the slot before the first
 * move to the WAL, moves sources ({@link WalCaptureMoves}, one transaction each; a move that fails
 * is recorded in {@code capture_error}, which {@code pgt_cdc_status()} shows, and retried at the
 * next check) and drops the slot and publication once nothing needs them.
 */
final class WalCaptureLifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(WalCaptureLifecycle.class);
  /** A move's lock wait ran out ({@code lock_timeout}). */
  private static final String LOCK_NOT_AVAILABLE = "55P03";

  /** A source whose capture should move. */
  private record Move(long relid, String source, boolean toWal) {}

  private WalCaptureLifecycle() {}

  /**
   * Whether WAL capture is in play in the database at all: a stream table that reads change
   * buffers (not IMMEDIATE, whose sources need no capture of their own) asks for cdc_mode 'wal' or
   * 'auto', a source is captured from the WAL or its last WAL changes are still to be
   * written, or the slot or its catalog row remains. Index and small-catalog reads only, unlike
   * the plan, which checks every source against the server and the decoding role. When false
   * {@link #check} has nothing to do and the slot is not needed: it wants or moves a source to the
   * WAL only for a reader asking 'wal' or 'auto', and leaves alone sources on triggers that no
   * reader asks to move.
   *
   * @param c a connection in autocommit
   */
  static boolean inPlay(Connection c, String slot) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT EXISTS (SELECT FROM pgtrickle.pgt_stream_tables"
                + " WHERE cdc_mode <> 'trigger' AND requested_mode <> 'IMMEDIATE')"
                + " OR EXISTS (SELECT FROM pgtrickle.pgt_change_buffers"
                + " WHERE capture = 'wal' OR wal_until_lsn IS NOT NULL)"
                + " OR EXISTS (SELECT FROM pg_catalog.pg_replication_slots WHERE slot_name = ?)"
                + " OR EXISTS (SELECT FROM pgtrickle.pgt_wal_capture WHERE slot_name = ?)")) {
      ps.setString(1, slot);
      ps.setString(2, slot);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /**
   * Brings capture in line with the plan.
   *
   * @param c a connection in autocommit
   * @return true when the slot is needed (a source is captured from the WAL, or its last WAL
   *     changes are not all written yet)
   */
  static boolean check(Connection c, String slot) throws SQLException {
    List<Move> moves = new ArrayList<>();
    boolean walWanted = false;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT p.source_relid, p.source_table, p.capture, p.wanted,"
                    + " b.wal_until_lsn IS NOT NULL AS draining"
                    + " FROM pgtrickle.wal_capture_plan() p"
                    + " JOIN pgtrickle.pgt_change_buffers b ON b.source_relid = p.source_relid")) {
      while (rs.next()) {
        String capture = rs.getString("capture");
        String wanted = rs.getString("wanted");
        boolean draining = rs.getBoolean("draining");
        walWanted |= wanted.equals("wal") || capture.equals("wal") || draining;
        if (!capture.equals(wanted) && !(wanted.equals("wal") && draining)) {
          moves.add(
              new Move(rs.getLong("source_relid"), rs.getString("source_table"),
                  wanted.equals("wal")));
        }
      }
    }
    if (!walWanted) {
      return false;
    }
    WalCaptureMoves.ensurePublication(c);
    WalSlot.ensure(c, slot);
    for (Move move : moves) {
      move(c, move);
    }
    return true;
  }

  private static void move(Connection c, Move move) throws SQLException {
    c.setAutoCommit(false);
    try {
      if (move.toWal()) {
        WalCaptureMoves.toWal(c, move.relid());
      } else {
        WalCaptureMoves.toTriggers(c, move.relid());
      }
      c.commit();
      LOG.atInfo().log(
          () -> "source " + move.source() + " is captured "
              + (move.toWal() ? "from the WAL" : "by triggers") + " now");
    } catch (SQLException e) {
      c.rollback();
      LOG.atWarn().log(
          () -> "could not move the capture of " + move.source() + " to "
              + (move.toWal() ? "the WAL" : "triggers") + ": " + e.getMessage());
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE pgtrickle.pgt_change_buffers SET capture_error = ?"
                  + " WHERE source_relid = ?::oid")) {
        ps.setString(1, "the scheduler's leader could not move it (" + e.getMessage() + "); "
            + (LOCK_NOT_AVAILABLE.equals(e.getSQLState())
                ? "other transactions held the source; the move is retried at the next check"
                : "the role that runs the scheduler must own the source and the publication"));
        ps.setLong(2, move.relid());
        ps.executeUpdate();
      }
      c.commit();
    } finally {
      c.setAutoCommit(true);
    }
  }
}
