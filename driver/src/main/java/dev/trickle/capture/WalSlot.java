package dev.trickle.capture;

import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The database's logical replication slot ({@code pgtrickle_<database oid>}, plugin pgoutput) and
 * its row in {@code pgtrickle.pgt_wal_capture}: created before the first source moves to the WAL,
 * dropped with the publication once no source is captured from the WAL and the consumer has
 * written everything it decoded. Creating or dropping a slot is not transactional, so both run in
 * autocommit on the scheduler leader's connection (creating one also waits for the transactions
 * that run at that moment to end).
 */
final class WalSlot {
  private WalSlot() {}

  /** The slot's name in this database. */
  static String name(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pgtrickle.wal_slot_name()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * Creates the slot when it does not exist and records it; returns the consumer's confirmed
   * position (where streaming starts).
   */
  static long ensure(Connection c, String slot) throws SQLException {
    Optional<Long> confirmed = confirmed(c, slot);
    if (slotExists(c, slot) && confirmed.isPresent()) {
      return confirmed.get();
    }
    if (!slotExists(c, slot)) {
      try (PreparedStatement ps =
          c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
        ps.setString(1, slot);
        ps.execute();
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO pgtrickle.pgt_wal_capture (slot_name, publication_name, confirmed_lsn)"
                + " SELECT slot_name, ?, confirmed_flush_lsn FROM pg_catalog.pg_replication_slots"
                + " WHERE slot_name = ? ON CONFLICT (slot_name) DO UPDATE"
                + " SET confirmed_lsn = excluded.confirmed_lsn, confirmed_at = now()"
                + " RETURNING confirmed_lsn::text")) {
      ps.setString(1, WalCaptureMoves.PUBLICATION);
      ps.setString(2, slot);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return WalPositions.parse(rs.getString(1));
      }
    }
  }

  /**
   * Drops the slot, the publication and the row; false when the slot is still in use by a WAL
   * sender that has not ended yet (the next check retries).
   */
  static boolean drop(Connection c, String slot) throws SQLException {
    if (slotExists(c, slot)) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots"
                  + " WHERE slot_name = ? AND NOT active")) {
        ps.setString(1, slot);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return false;
          }
        }
      }
    }
    try (Statement st = c.createStatement()) {
      st.execute("DROP PUBLICATION IF EXISTS " + Sql.identifier(WalCaptureMoves.PUBLICATION));
    }
    try (PreparedStatement ps =
        c.prepareStatement("DELETE FROM pgtrickle.pgt_wal_capture WHERE slot_name = ?")) {
      ps.setString(1, slot);
      ps.executeUpdate();
    }
    return true;
  }

  /** True when the slot or its catalog row exists. */
  static boolean present(Connection c, String slot) throws SQLException {
    return slotExists(c, slot) || confirmed(c, slot).isPresent();
  }

  private static boolean slotExists(Connection c, String slot) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, slot);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static Optional<Long> confirmed(Connection c, String slot) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT confirmed_lsn::text FROM pgtrickle.pgt_wal_capture WHERE slot_name = ?")) {
      ps.setString(1, slot);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(WalPositions.parse(rs.getString(1))) : Optional.empty();
      }
    }
  }
}
