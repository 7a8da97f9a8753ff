package dev.trickle.refresh;

import dev.trickle.capture.ChangeBuffer;
import dev.trickle.sql.Sql;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Vacuums the change buffers a cleanup has just deleted rows from. A buffer only ever gets rows
 * appended and loses them to the cleanup's {@code DELETE}; until a {@code VACUUM} records their
 * space in the free space map, no insert finds it again, so the buffer grows by every row ever
 * captured, and every refresh's delta fill scans all of its pages. Autovacuum gets to a buffer
 * about once a minute at best; a stream table refreshed every second consumes thousands of rows
 * in between (with autovacuum off, a 100K-row profile's buffer reached 590 pages for 400 live rows,
 * and the refresh spent a fifth of its server time scanning them).
 *
 * <p>So the refresh that cleaned up vacuums, after its transaction, the buffers of at least {@link
 * #MIN_BYTES} whose owner is the current role (or one it belongs to): {@code VACUUM (SKIP_LOCKED,
 * TRUNCATE false)}, which skips a buffer another {@code VACUUM} holds and keeps the file's length:
 * cutting it needs an {@code ACCESS EXCLUSIVE} lock, for which {@code VACUUM} waits up to five
 * seconds behind any transaction that wrote to the source. Freed pages are reused by the next
 * captured rows; pages no row changed since the last {@code VACUUM} are skipped by the next. The
 * decision is by size, not by the server's count of dead rows: that count is published about once
 * a second, hundreds of refreshes late.
 */
final class BufferVacuum {
  /** The size from which a buffer is vacuumed after a cleanup: eight pages. */
  static final int MIN_BYTES = 8 * 8192;

  private BufferVacuum() {}

  /**
   * The query whose one row holds the oids of the sources whose buffers are due, as an array
   * (empty when none is); for the transaction after the cleanup.
   */
  static String dueQuery(List<Long> sources) {
    String buffers =
        sources.stream()
            .map(
                source ->
                    "("
                        + source
                        + "::oid, to_regclass("
                        + Sql.literal(new ChangeBuffer(source).qualifiedTable())
                        + "))")
            .collect(Collectors.joining(", "));
    return "SELECT coalesce(array_agg(b.source ORDER BY b.source), '{}')::bigint[] FROM (VALUES "
        + buffers
        + ") AS b (source, buffer) JOIN pg_class c ON c.oid = b.buffer"
        + " WHERE pg_relation_size(c.oid) >= "
        + MIN_BYTES
        + " AND pg_has_role(c.relowner, 'MEMBER')";
  }

  /** The oids in the row of {@link #dueQuery}. */
  static List<Long> read(ResultSet rs) throws SQLException {
    if (!rs.next()) {
      return List.of();
    }
    Array due = rs.getArray(1);
    return Arrays.asList((Long[]) due.getArray());
  }

  /**
   * Vacuums the buffers of {@code sources} on {@code c}, which must be in autocommit (outside any
   * transaction); returns the failure as text, null when there was none or nothing to do. A
   * failure is never thrown: the changes are all there, only the space waits for the next try.
   */
  static String vacuum(Connection c, List<Long> sources) {
    if (sources.isEmpty()) {
      return null;
    }
    try (Statement st = c.createStatement()) {
      st.execute(
          "VACUUM (SKIP_LOCKED, TRUNCATE false) "
              + sources.stream()
                  .map(source -> new ChangeBuffer(source).qualifiedTable())
                  .collect(Collectors.joining(", ")));
      return null;
    } catch (SQLException e) {
      return RefreshFailures.messageOf(e);
    }
  }
}
