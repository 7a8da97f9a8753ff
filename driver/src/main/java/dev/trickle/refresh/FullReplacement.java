package dev.trickle.refresh;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * How a FULL refresh replaces a storage table's contents ({@link FullRefresh}), read in one query
 * together with whether the recomputed query still has the storage's columns.
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
    /** Nothing reads the storage's changes: truncate it and insert the query's rows. */
    REPLACE,
    /** Something reads the storage's changes: apply only the difference. */
    DIFFERENCE
  }

  /**
   * Something reads a storage table's row changes when a stream table reads it (its changes are
   * captured, by trigger or from the WAL), when it has a trigger other than Trickle's guard (the
   * capture triggers, an IMMEDIATE stream table's triggers, a user's), or when a foreign key
   * points at it ({@code TRUNCATE} would refuse).
   */
  private static final String CHANGES_READ =
      "EXISTS (SELECT 1 FROM pgtrickle.pgt_dependencies d WHERE d.source_relid = s.oid)"
          + " OR EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g WHERE g.tgrelid = s.oid"
          + " AND NOT g.tgisinternal AND g.tgname <> 'pgtrickle_guard')"
          + " OR EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.confrelid = s.oid)";

  /** SQLSTATE lock_not_available: another transaction holds a lock on the table. */
  private static final String LOCK_NOT_AVAILABLE = "55P03";

  private static final String COLUMNS =
      "SELECT pg_catalog.quote_ident(a.attname) || ' ' || pg_catalog.format_type(a.atttypid,"
          + " a.atttypmod)"
          + " FROM pg_catalog.pg_attribute a WHERE a.attrelid = %s AND a.attnum > 0"
          + " AND NOT a.attisdropped ORDER BY a.attnum";

  /**
   * Reads it, in one query of Trickle's own.
   *
   * @param storageRelid the storage table
   * @param temp the temporary table made from the query ({@code pg_temp."..."}), qualified
   * @param target the storage table, qualified
   */
  static FullReplacement choose(Connection c, long storageRelid, String temp, String target)
      throws SQLException {
    String sql =
        "SELECT ARRAY(" + COLUMNS.formatted("?::regclass") + ")"
            + " = ARRAY(" + COLUMNS.formatted("s.oid") + ") AS same_shape,"
            + " NOT EXISTS (SELECT 1 FROM " + target + ") AS empty,"
            + " " + CHANGES_READ + " AS changes_read,"
            + " " + RebuiltIndexes.columns()
            + " FROM pg_catalog.pg_class s WHERE s.oid = ?::oid";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, temp);
      ps.setLong(2, storageRelid);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return new FullReplacement(false, Kind.DIFFERENCE, RebuiltIndexes.NONE);
        }
        Kind kind =
            rs.getBoolean("empty")
                ? Kind.INSERT
                : rs.getBoolean("changes_read") ? Kind.DIFFERENCE : Kind.REPLACE;
        return new FullReplacement(rs.getBoolean("same_shape"), kind, RebuiltIndexes.read(rs));
      }
    }
  }

  /**
   * This way, or {@link Kind#DIFFERENCE} when it is {@link Kind#REPLACE} and the storage's
   * {@code ACCESS EXCLUSIVE} lock (which {@code TRUNCATE} needs) is not free at once: a reader's
   * open transaction holds the table, and waiting would queue every new reader behind the
   * refresh. The lock is tried under a savepoint with {@code NOWAIT}, one round trip; when taken it
   * is held until the refresh ends.
   */
  Kind lockedOrDifference(Connection c, String target) throws SQLException {
    if (kind != Kind.REPLACE) {
      return kind;
    }
    try (Statement st = c.createStatement()) {
      try {
        st.execute("SAVEPOINT __pgt_full_lock; LOCK TABLE " + target
            + " IN ACCESS EXCLUSIVE MODE NOWAIT; RELEASE SAVEPOINT __pgt_full_lock");
        return Kind.REPLACE;
      } catch (SQLException e) {
        if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
          throw e;
        }
        st.execute("ROLLBACK TO SAVEPOINT __pgt_full_lock; RELEASE SAVEPOINT __pgt_full_lock");
        return Kind.DIFFERENCE;
      }
    }
  }
}
