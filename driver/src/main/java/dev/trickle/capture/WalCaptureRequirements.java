package dev.trickle.capture;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What WAL capture of a stream table's sources lacks, as {@code pgtrickle.wal_capture_plan()}
 * finds it: the server's settings, a free replication slot, the REPLICATION attribute of the
 * decoding role (the scheduler leader's, or the caller's when no leader runs), ownership of the
 * source by that role, a table without generated columns.
 */
public final class WalCaptureRequirements {
  private WalCaptureRequirements() {}

  /** What is missing for the stream table's captured sources, each once; empty: nothing. */
  public static List<String> missingFor(Connection c, long pgtId) throws SQLException {
    List<String> missing = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT p.source_table, p.missing FROM pgtrickle.wal_capture_plan() p"
                + " JOIN pgtrickle.pgt_dependencies d ON d.source_relid = p.source_relid"
                + " WHERE d.pgt_id = ? ORDER BY p.source_table")) {
      ps.setLong(1, pgtId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Array array = rs.getArray("missing");
          for (Object reason : (Object[]) array.getArray()) {
            String text = (String) reason;
            String sentence =
                text.startsWith("the source")
                    ? "source " + rs.getString("source_table") + text.substring("the source".length())
                    : text;
            if (!missing.contains(sentence)) {
              missing.add(sentence);
            }
          }
        }
      }
    }
    return missing;
  }
}
