package dev.trickle.scheduler;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Which sources' next change the leader wants to be woken for ({@code
 * pgtrickle.pgt_change_wakeups}, catalog V15): a capture trigger sends its {@code NOTIFY
 * pgtrickle_changes} only for a source listed there, because every notifying transaction holds the
 * notification queue's lock through its commit and so serializes with the others.
 *
 * <p>The leader {@link #arm}s every captured source before each pass (the pass then reads what is
 * pending at a later snapshot, so a change is either seen by the pass or notifies), {@link
 * #disarm}s a source once it has heard about it and knows when its readers come due, and {@link
 * #clear}s the list when it stops leading, so without a leader no write notifies. The sources that
 * are stream tables the scheduler refreshes itself are never armed: their readers are refreshed in
 * the same pass.
 */
final class ChangeWakeups {
  private static final String ARM =
      "INSERT INTO pgtrickle.pgt_change_wakeups (source_relid)"
          + " SELECT b.source_relid FROM pgtrickle.pgt_change_buffers b"
          + " WHERE NOT EXISTS (SELECT FROM pgtrickle.pgt_stream_tables s"
          + " WHERE s.pgt_relid = b.source_relid AND s.effective_mode <> 'IMMEDIATE')"
          + " ON CONFLICT (source_relid) DO NOTHING";
  private static final String DISARM =
      "DELETE FROM pgtrickle.pgt_change_wakeups WHERE source_relid = ?::oid";
  private static final String CLEAR = "DELETE FROM pgtrickle.pgt_change_wakeups";

  private ChangeWakeups() {}

  /** Lists every captured source that is not a stream table the scheduler refreshes. */
  static void arm(Connection control) throws SQLException {
    try (Statement st = control.createStatement()) {
      st.executeUpdate(ARM);
    }
  }

  /** Takes one source off the list until the next {@link #arm}. */
  static void disarm(Connection control, long sourceRelid) throws SQLException {
    try (PreparedStatement ps = control.prepareStatement(DISARM)) {
      ps.setLong(1, sourceRelid);
      ps.executeUpdate();
    }
  }

  /** Empties the list: no capture trigger notifies until a leader arms it again. */
  static void clear(Connection control) throws SQLException {
    try (Statement st = control.createStatement()) {
      st.executeUpdate(CLEAR);
    }
  }
}
