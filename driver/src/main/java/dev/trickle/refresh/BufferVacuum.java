package dev.trickle.refresh;

import dev.trickle.capture.ChangeBuffer;
import dev.trickle.catalog.Quoting;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Vacuums the change buffers a cleanup has just deleted rows from, and the session's work tables.
 * A buffer only ever gets rows appended and loses them to the cleanup's {@code DELETE}; until a
 * {@code VACUUM} records their space in the free space map, no insert finds it again, so the buffer
 * grows by every row ever captured, and every refresh's delta fill scans all of its pages.
 * Autovacuum gets to a buffer about once a minute at best; a stream table refreshed every second
 * consumes thousands of rows in between (with autovacuum off, a 100K-row profile's buffer reached
 * 590 pages for 400 live rows, and the refresh spent a fifth of its server time scanning them).
 *
 * <p>The work tables ({@link SessionTempTables}) are emptied with {@code DELETE} and refilled by
 * every refresh, and autovacuum never visits temporary tables, so they grow the same way: every
 * statement that reads a delta scans the dead rows of all earlier refreshes, until the table
 * reaches {@link SessionTempTables#TRUNCATE_BYTES} and is truncated. Vacuumed, a work table keeps
 * reusing its first few pages.
 *
 * <p>So the refresh that cleaned up vacuums, after its transaction, the buffers and work tables
 * of at least {@link #MIN_BYTES} whose owner is the current role (or one it belongs to): {@code
 * VACUUM (SKIP_LOCKED, TRUNCATE false)}, which skips a buffer another {@code VACUUM} holds and
 * keeps the file's length: cutting it needs an {@code ACCESS EXCLUSIVE} lock, for which {@code
 * VACUUM} waits up to five seconds behind any transaction that wrote to the source. Freed pages are
 * reused by the next rows; pages no row changed since the last {@code VACUUM} are skipped by the
 * next. A table vacuumed again makes the server plan the statements that read it again, once:
 * less than scanning the dead rows of hundreds of refreshes (in a profile of 10-row refreshes at 1M
 * source rows, 0.02 ms more planning per refresh against 0.05 ms less execution). The decision is
 * by size, not by the server's count of dead rows: that count is published about once a second,
 * hundreds of refreshes late.
 */
final class BufferVacuum {
  /** The size from which a buffer or work table is vacuumed after a cleanup: eight pages. */
  static final int MIN_BYTES = 8 * 8192;

  /**
   * What a vacuum after a cleanup covers.
   *
   * @param buffers the sources whose change buffers are due
   * @param workTables the names of the session's work tables that are due
   */
  record Due(List<Long> buffers, List<String> workTables) {
    /** Nothing to vacuum. */
    static final Due NOTHING = new Due(List.of(), List.of());

    Due {
      buffers = List.copyOf(buffers);
      workTables = List.copyOf(workTables);
    }
  }

  private BufferVacuum() {}

  /**
   * The query whose one row holds, as two arrays, the oids of the sources whose buffers are due
   * and the names of the session's work tables that are due (each empty when none is); for the
   * transaction after the cleanup.
   */
  static String dueQuery(List<Long> sources) {
    String buffers =
        sources.stream()
            .map(
                source ->
                    "("
                        + source
                        + "::oid, to_regclass("
                        + Quoting.literal(new ChangeBuffer(source).qualifiedTable())
                        + "))")
            .collect(Collectors.joining(", "));
    return "SELECT (SELECT coalesce(array_agg(b.source ORDER BY b.source), '{}')::bigint[] FROM"
        + " (VALUES "
        + buffers
        + ") AS b (source, buffer) JOIN pg_class c ON c.oid = b.buffer WHERE "
        + dueCondition()
        + "), ARRAY(SELECT c.relname::text FROM pg_class c WHERE c.relnamespace ="
        + " pg_my_temp_schema() AND c.relname LIKE '\\_\\_pgt\\_%' AND c.relkind = 'r' AND "
        + dueCondition()
        + " ORDER BY c.relname)";
  }

  /** A relation {@code c} is due when it has at least {@link #MIN_BYTES} and is the current role's. */
  private static String dueCondition() {
    return "pg_relation_size(c.oid) >= " + MIN_BYTES + " AND pg_has_role(c.relowner, 'MEMBER')";
  }

  /** What the row of {@link #dueQuery} says is due. */
  static Due read(ResultSet rs) throws SQLException {
    if (!rs.next()) {
      return Due.NOTHING;
    }
    return new Due(
        Arrays.asList((Long[]) rs.getArray(1).getArray()),
        Arrays.asList((String[]) rs.getArray(2).getArray()));
  }

  /**
   * Vacuums what is {@code due} on {@code c}, which must be in autocommit (outside any
   * transaction); returns the failure as text, null when there was none or nothing to do. A
   * failure is never thrown: the changes are all there, only the space waits for the next try.
   */
  static String vacuum(Connection c, Due due) {
    List<String> tables = new ArrayList<>();
    due.buffers().forEach(source -> tables.add(new ChangeBuffer(source).qualifiedTable()));
    due.workTables().forEach(name -> tables.add("pg_temp." + Quoting.identifier(name)));
    if (tables.isEmpty()) {
      return null;
    }
    try (Statement st = c.createStatement()) {
      st.execute("VACUUM (SKIP_LOCKED, TRUNCATE false) " + String.join(", ", tables));
      return null;
    } catch (SQLException e) {
      return RefreshFailures.messageOf(e);
    }
  }
}
