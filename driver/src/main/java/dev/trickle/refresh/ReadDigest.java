package dev.trickle.refresh;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Digests of what a refresh's first round trip reads, left on the server in transaction-local
 * settings, so that a later statement of the same round trip can compare them with the digests a
 * client remembered from an earlier refresh: a refresh committed in one round trip ({@link
 * RefreshInOneRoundTrip}) stands only when it read exactly what the refresh it repeats read. Each
 * read digests its own rows in the statement that makes it, so a digest costs no statement of its
 * own. Some reads run under the stream table's {@code search_path}, so the functions are qualified.
 *
 * <p>A read of many rows sums 64-bit hashes of its rows (a window over the result, so the order of
 * the rows does not matter) and counts them; a read of at most one row takes the {@code md5} of
 * it. A read that finds no row leaves its setting as it was, which in a transaction of its own is
 * the empty string (or unset), the same every time.
 */
public final class ReadDigest {
  /** The reads digested, in the order of {@link #CURRENT}. */
  public enum Read {
    /** The stream table's catalog row, without what every refresh rewrites. */
    CATALOG,
    /** The sources, their relations and columns. */
    SOURCES,
    /** The storage table and its columns. */
    STORAGE,
    /** The stream table's frontier rows (which sources have one). */
    FRONTIERS,
    /** The reads that confirm a remembered target ({@link StartCheck}). */
    START,
    /** The session's work tables. */
    WORK_TABLES;

    private String setting() {
      return "'pgtrickle.digest_" + name().toLowerCase(Locale.ROOT) + "'";
    }
  }

  /** The digests of the current transaction's reads, as one text, empty parts for reads not made. */
  static final String CURRENT =
      Arrays.stream(Read.values())
          .map(read -> "coalesce(pg_catalog.current_setting(" + read.setting() + ", true), '')")
          .collect(Collectors.joining(", ", "pg_catalog.concat_ws('/', ", ")"));

  private ReadDigest() {}

  /**
   * {@code query}, which returns at most one row, with one more column that digests {@code row}
   * (an expression over the query's row, aliased {@code q}).
   */
  public static String ofRow(Read read, String query, String row) {
    return "SELECT q.*, pg_catalog.set_config(" + read.setting() + ", pg_catalog.md5((" + row
        + ")::text), true) FROM " + once(query) + " AS q";
  }

  /**
   * {@code query}, which may return many rows, with one more column that digests all of them
   * (each row as a whole), ordered by {@code orderBy} (over alias {@code q}; null for any order).
   */
  static String ofRows(Read read, String query, String orderBy) {
    return ofRows(read, query, orderBy, "true");
  }

  /**
   * Like {@link #ofRows(Read, String, String)}, digesting only the rows for which {@code
   * digested} (over alias {@code q}) holds: the others cost the digest nothing.
   */
  static String ofRows(Read read, String query, String orderBy, String digested) {
    return "SELECT q.*, pg_catalog.set_config(" + read.setting() + ", (pg_catalog.count(*) FILTER"
        + " (WHERE " + digested + ") OVER ())::text || ':' || (pg_catalog.sum("
        + "pg_catalog.hashtextextended(q::text, 0)) FILTER (WHERE " + digested
        + ") OVER ())::text, true) FROM " + once(query) + " AS q"
        + (orderBy == null ? "" : " ORDER BY " + orderBy);
  }

  /**
   * {@code query} as a subquery the planner keeps as it is ({@code OFFSET 0}): pulled up into the
   * digesting query, its expressions (subplans over the catalog among them) would be evaluated
   * once for the columns and once more for the digest.
   */
  private static String once(String query) {
    return "(SELECT * FROM (" + query + ") AS i OFFSET 0)";
  }
}
