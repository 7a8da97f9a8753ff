package dev.trickle.refresh;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How a FULL refresh replaces a storage table's contents ({@link FullRefresh}), decided together
 * with whether the recomputed query still has the storage's columns, by the catalog function
 * {@code pgtrickle.full_replacement} (catalog V26) in one call whose plans the session keeps.
 *
 * @param sameShape the query's columns (as the temporary table made from it has them) are the
 *     storage's, by name and type, in order
 * @param kind the way to replace the contents
 * @param indexes the storage's indexes to drop before a {@link Kind#REPLACE} and create again
 *     after it
 */
record FullReplacement(boolean sameShape, Kind kind, RebuiltIndexes indexes) {
  /** The ways, cheapest first. */
  enum Kind {
    /** The storage is empty: insert the query's rows. */
    INSERT,
    /**
     * Nothing reads the storage's changes (no stream table reads it, no trigger but Trickle's
     * guard, no foreign key points at it) and its {@code ACCESS EXCLUSIVE} lock, which {@code
     * TRUNCATE} needs, was free at once ({@code NOWAIT}) and is now held until the refresh ends:
     * truncate it and insert the query's rows.
     */
    REPLACE,
    /**
     * Something reads the storage's changes, or a reader's open transaction holds the table (and
     * waiting would queue every new reader behind the refresh): apply only the difference.
     */
    DIFFERENCE
  }

  /**
   * Decides it; for {@link Kind#REPLACE} the storage's lock is taken.
   *
   * @param storageRelid the storage table
   * @param temp the temporary table made from the query ({@code pg_temp."..."}), qualified
   */
  static FullReplacement choose(Connection c, long storageRelid, String temp)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT same_shape, way, rebuilt_names, rebuilt_definitions"
                + " FROM pgtrickle.full_replacement(?::oid, ?::regclass)")) {
      ps.setLong(1, storageRelid);
      ps.setString(2, temp);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new FullReplacement(
            rs.getBoolean("same_shape"),
            Kind.valueOf(rs.getString("way")),
            RebuiltIndexes.read(rs));
      }
    }
  }
}
