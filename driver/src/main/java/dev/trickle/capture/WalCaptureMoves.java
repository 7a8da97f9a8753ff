package dev.trickle.capture;

import dev.trickle.catalog.Relation;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves a source between trigger and WAL capture, each move one transaction that first locks the
 * source ({@code ACCESS EXCLUSIVE}, for the few statements of the move), so every write commits
 * either before the move, captured the old way, or after it, captured the new way; none is lost or
 * captured twice.
 *
 * <ul>
 *   <li><b>To the WAL</b>: the source joins the publication {@value #PUBLICATION} ({@link
 *       #ensurePublication}, {@code publish_via_partition_root}, so a partition's changes come as
 *       the parent's), gets {@code REPLICA IDENTITY FULL} (pgoutput then sends whole old rows, the
 *       images the triggers write), loses its capture triggers, and the catalog records the WAL
 *       position of the move ({@code wal_from_lsn}): the consumer writes the changes of the
 *       transactions that commit after it.
 *   <li><b>To triggers</b>: the triggers come back, the source leaves the publication, and the
 *       catalog records where WAL capture ended ({@code wal_until_lsn}); refreshes keep waiting for
 *       the consumer until it has passed that position.
 * </ul>
 *
 * The moving role needs what the statements need: ownership of the source (publication
 * membership, replica identity, triggers) and of the publication.
 */
public final class WalCaptureMoves {
  /** The publication of the sources captured from the WAL. */
  public static final String PUBLICATION = "pgtrickle_capture";

  private static final String LOCK_TIMEOUT = "500ms";

  private WalCaptureMoves() {}

  /** Moves the source's capture from its triggers to the WAL, in the caller's transaction. */
  public static void toWal(Connection c, long sourceRelid) throws SQLException {
    Relation source = Relation.find(c, sourceRelid).orElseThrow();
    List<Long> targets = new ArrayList<>();
    targets.add(sourceRelid);
    targets.addAll(source.partitions(c));
    try (Statement st = c.createStatement()) {
      lock(st, source);
      st.execute(
          "ALTER PUBLICATION " + Sql.identifier(PUBLICATION) + " ADD TABLE "
              + source.qualifiedName());
      for (long target : targets) {
        String table = Relation.find(c, target).orElseThrow().qualifiedName();
        st.execute("ALTER TABLE " + table + " REPLICA IDENTITY FULL");
        for (String trigger : ChangeBuffer.TRIGGER_NAMES) {
          st.execute("DROP TRIGGER IF EXISTS " + Sql.identifier(trigger) + " ON " + table);
        }
      }
    }
    record(
        c,
        sourceRelid,
        "capture = 'wal', wal_from_lsn = pg_current_wal_insert_lsn(), wal_until_lsn = NULL");
  }

  /** Moves the source's capture from the WAL back to triggers, in the caller's transaction. */
  public static void toTriggers(Connection c, long sourceRelid) throws SQLException {
    Relation source = Relation.find(c, sourceRelid).orElseThrow();
    try (Statement st = c.createStatement()) {
      lock(st, source);
      record(c, sourceRelid, "capture = 'trigger'");
      ChangeCapture.ensure(c, source);
      leavePublication(c, sourceRelid);
    }
    record(c, sourceRelid, "wal_until_lsn = pg_current_wal_insert_lsn()");
  }

  /**
   * Locks the source for the move: {@code ACCESS EXCLUSIVE} at once, the strongest lock any of the
   * move's statements takes ({@code REPLICA IDENTITY}), so the move never upgrades a lock it holds
   * (an upgrade from {@code SHARE ROW EXCLUSIVE} deadlocked with a create command holding a weak
   * lock on the source and waiting for a stronger one). The wait is bounded ({@value
   * #LOCK_TIMEOUT}, below the server's default {@code deadlock_timeout}): a move that cannot get
   * the source quickly gives way to the user's transaction and is retried at the next check.
   */
  private static void lock(Statement st, Relation source) throws SQLException {
    st.execute("SET LOCAL lock_timeout = " + Sql.literal(LOCK_TIMEOUT));
    st.execute("LOCK TABLE " + source.qualifiedName() + " IN ACCESS EXCLUSIVE MODE");
  }

  /** Takes the source out of the publication if it is in it (a dropped source has left it). */
  static void leavePublication(Connection c, long sourceRelid) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_catalog.format('%I.%I', n.nspname, r.relname) FROM pg_catalog.pg_publication_rel pr"
                + " JOIN pg_catalog.pg_publication p ON p.oid = pr.prpubid"
                + " JOIN pg_catalog.pg_class r ON r.oid = pr.prrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace"
                + " WHERE p.pubname = ? AND pr.prrelid = ?::oid")) {
      ps.setString(1, PUBLICATION);
      ps.setLong(2, sourceRelid);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return;
        }
      }
    }
    String table = Relation.find(c, sourceRelid).orElseThrow().qualifiedName();
    try (Statement st = c.createStatement()) {
      st.execute("ALTER PUBLICATION " + Sql.identifier(PUBLICATION) + " DROP TABLE " + table);
    }
  }

  /**
   * Creates the publication, empty, unless it exists. It must exist before the slot: decoding
   * reads the publication as the catalog was at each change, and PostgreSQL before 18 fails on a
   * change older than the publication.
   */
  static void ensurePublication(Connection c) throws SQLException {
    if (!publicationExists(c)) {
      try (Statement st = c.createStatement()) {
        st.execute(
            "CREATE PUBLICATION " + Sql.identifier(PUBLICATION)
                + " WITH (publish = 'insert, update, delete, truncate',"
                + " publish_via_partition_root = true)");
      }
    }
  }

  /** True when the publication exists in this database. */
  static boolean publicationExists(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT FROM pg_catalog.pg_publication WHERE pubname = ?")) {
      ps.setString(1, PUBLICATION);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static void record(Connection c, long sourceRelid, String assignments)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE pgtrickle.pgt_change_buffers SET " + assignments + ", capture_error = NULL"
                + " WHERE source_relid = ?::oid")) {
      ps.setLong(1, sourceRelid);
      ps.executeUpdate();
    }
  }
}
