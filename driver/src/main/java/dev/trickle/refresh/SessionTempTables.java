package dev.trickle.refresh;

import dev.trickle.sql.Sql;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The temporary work tables ({@code pg_temp."__pgt_..."}) of one server session, reused from one
 * refresh to the next. Creating a table writes the system catalogs (and dropping it again), which
 * costs more than a small refresh's real work; so a table is created once and refilled.
 *
 * <p>Refilling empties the table with {@code DELETE}, not at commit: {@code ON COMMIT DELETE ROWS}
 * truncates every such table of the session at every commit, a file truncation each, and the next
 * fill extends the file again (in the latency benchmark the commit of a scheduled refresh took 5 to
 * 17 ms that way, under 1 ms without).
 * A {@code DELETE} of a few rows touches one page. Dead rows stay until the page is pruned, so a
 * table grown past {@link #TRUNCATE_BYTES} is emptied with {@code TRUNCATE} instead (a new file and
 * a catalog update, once in a while). The tables are not vacuumed: a {@code VACUUM} records the
 * live rows of the last small delta as the table's size, and the statements planned next join two
 * such tables by nested loop, a plan they keep for the next large delta (measured: a join and
 * aggregate over 1,000 changed rows took 80 ms instead of 17).
 *
 * <p>A table is {@code ANALYZE}d when created, and once more after a fill when its statistics say
 * it had no pages (created empty, or truncated) but it has rows now: with no pages recorded the
 * planner assumes ten pages of rows, and joins a small delta by scanning a large table instead of
 * probing its index.
 *
 * <p>What a session holds is read from {@code pg_class} at the start of every refresh, never
 * assumed: a rollback, {@code DISCARD}, a connection pooler handing out another server session, or
 * an IMMEDIATE trigger dropping a table of the same name all just make a table unknown, and it is
 * created again. A table is reused only when this JVM created it (its oid is remembered) with the
 * same shape key, which the caller derives from what fixes the columns (a compilation and its
 * query text, or a buffer's column list with types).
 *
 * <p>At most {@link #CAPACITY} tables are kept per session (the least recently used are dropped).
 */
public final class SessionTempTables {
  /** Work tables kept per server session. */
  static final int CAPACITY = 64;

  /** A kept table at least this large is emptied with TRUNCATE rather than DELETE. */
  static final long TRUNCATE_BYTES = 1 << 20;

  /** Shape keys and last use of the tables this JVM created, by oid; bounded. */
  private static final Map<Long, Known> KNOWN =
      new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Known> eldest) {
          return size() > 100_000;
        }
      };

  private static final AtomicLong CLOCK = new AtomicLong();

  private record Known(String shape, long lastUse) {}

  private final Map<String, Long> existing;
  private final Set<String> large;
  private final Set<String> unanalyzed;
  private final Map<String, String> created = new HashMap<>();
  private final Set<String> filled = new HashSet<>();
  /** The tables the refresh that left these ({@link #leftForNext}) filled; empty otherwise. */
  private final Set<String> filledBefore;

  private SessionTempTables(
      Map<String, Long> existing,
      Set<String> large,
      Set<String> unanalyzed,
      Set<String> filledBefore) {
    this.existing = existing;
    this.large = large;
    this.unanalyzed = unanalyzed;
    this.filledBefore = filledBefore;
  }

  /** The session's work tables now. */
  public static SessionTempTables load(Connection c) throws SQLException {
    StatementBatch batch = new StatementBatch();
    List<SessionTempTables> loaded = new ArrayList<>(1);
    load(batch, null, loaded::add);
    batch.run(c);
    return loaded.get(0);
  }

  /**
   * Like {@link #load(Connection)}, as a query of {@code batch}, measuring only the tables named in
   * {@code sized} (null: all); the others count as neither large nor unanalyzed, and only the
   * measured ones are digested ({@link ReadDigest}): a refresh committed in one round trip fills
   * only tables the refresh it repeats filled, which it measures.
   */
  static void load(
      StatementBatch batch, Set<String> sized, Consumer<SessionTempTables> loaded) {
    batch.add(
        ReadDigest.ofRows(
            ReadDigest.Read.WORK_TABLES,
            "SELECT relname::text, oid::bigint, size >= "
                + TRUNCATE_BYTES
                + " AS large, relpages = 0 AND size > 0 FROM (SELECT relname, oid, relpages,"
                + " CASE WHEN "
                + sizedCondition(sized)
                + " THEN pg_catalog.pg_relation_size(oid) END AS size FROM pg_catalog.pg_class"
                + " WHERE relnamespace = pg_catalog.pg_my_temp_schema()"
                + " AND relname LIKE '\\_\\_pgt\\_%' AND relkind = 'r' OFFSET 0) AS t",
            null,
            "q.large IS NOT NULL"),
        rs -> {
          Map<String, Long> existing = new HashMap<>();
          Set<String> large = new HashSet<>();
          Set<String> unanalyzed = new HashSet<>();
          while (rs.next()) {
            existing.put(rs.getString(1), rs.getLong(2));
            if (rs.getBoolean(3)) {
              large.add(rs.getString(1));
            }
            if (rs.getBoolean(4)) {
              unanalyzed.add(rs.getString(1));
            }
          }
          loaded.accept(new SessionTempTables(existing, large, unanalyzed, Set.of()));
        });
  }

  /**
   * Which tables {@link #load} measures: each size is a file lookup under a lock of its own, a
   * cost that grew with every stream table refreshed on the session (0.4 ms for 60 tables).
   */
  private static String sizedCondition(Set<String> sized) {
    if (sized == null) {
      return "true";
    }
    if (sized.isEmpty()) {
      return "false";
    }
    return sized.stream()
        .sorted()
        .map(Sql::literal)
        .collect(Collectors.joining(", ", "relname IN (", ")"));
  }

  /**
   * The tables the refresh that left these tables filled ({@link #leftForNext}): the ones a
   * refresh repeating it measures when it loads the session's tables.
   */
  Set<String> filledBefore() {
    return filledBefore;
  }

  /**
   * The statements that make {@code table} hold exactly the rows of {@code query}.
   *
   * @param table {@code pg_temp."name"}
   * @param shape fixes the query's column names and types: equal shapes, equal columns
   */
  public List<String> fill(String table, String shape, String query) {
    String name = relationName(table);
    List<String> statements = new ArrayList<>(2);
    if (shape.equals(shapeOf(name))) {
      if (large.remove(name)) {
        statements.add("TRUNCATE " + table);
        statements.add("INSERT INTO " + table + " " + query);
      } else {
        // One statement, not a DELETE and an INSERT: the data-modifying CTE sees only the rows
        // from before the statement, and a small refresh pays the server's per-statement cost
        // about as much as its work.
        statements.add("WITH __pgt_emptied AS (DELETE FROM " + table + ") INSERT INTO " + table + " " + query);
      }
      if (unanalyzed.remove(name)) {
        statements.add("ANALYZE " + table);
      }
    } else {
      statements.addAll(evictions());
      statements.add("DROP TABLE IF EXISTS " + table);
      statements.add("CREATE TEMP TABLE " + table + " AS " + query);
      statements.add("ANALYZE " + table);
      existing.remove(name);
      created.put(name, shape);
    }
    filled.add(name);
    return statements;
  }

  /**
   * Whether {@link #fill} of {@code table} with {@code shape} would just refill the kept table
   * (a {@code DELETE} and an {@code INSERT} in one statement), with no creation, truncation or
   * {@code ANALYZE}.
   */
  public boolean refills(String table, String shape) {
    String name = relationName(table);
    return shape.equals(shapeOf(name)) && !large.contains(name) && !unanalyzed.contains(name);
  }

  /**
   * The session's tables as this refresh leaves them, for the next refresh to assume before it has
   * read them ({@link #filledAheadIn}); call after {@link #remember}.
   */
  SessionTempTables leftForNext() {
    return new SessionTempTables(
        new HashMap<>(existing), new HashSet<>(large), new HashSet<>(unanalyzed), Set.copyOf(filled));
  }

  /**
   * These tables (from {@link #leftForNext}) as a refresh leaves them that fills exactly the tables
   * the refresh that left them filled, without building its statements ({@link RefreshFunction}).
   */
  SessionTempTables refilledAsBefore() {
    SessionTempTables again = leftForNext();
    again.filled.addAll(filledBefore);
    return again;
  }

  /**
   * Whether every table this one (from {@link #leftForNext}) filled is, by oid, the table the
   * session held as {@code now} read it; if so, {@code now} counts them as filled by this refresh.
   */
  boolean filledAheadIn(SessionTempTables now) {
    for (String name : filled) {
      if (!Objects.equals(existing.get(name), now.existing.get(name))) {
        return false;
      }
    }
    now.filled.addAll(filled);
    return true;
  }

  /**
   * Learns the oids of the tables this refresh created (one query, only when it created any), so
   * the next refresh in this session reuses them.
   */
  public void remember(Connection c) throws SQLException {
    if (created.isEmpty()) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT relname::text, oid::bigint FROM pg_class WHERE relnamespace = pg_my_temp_schema()"
                + " AND relname = ANY (?)")) {
      Array names = c.createArrayOf("text", created.keySet().toArray());
      ps.setArray(1, names);
      try (ResultSet rs = ps.executeQuery()) {
        synchronized (KNOWN) {
          while (rs.next()) {
            String name = rs.getString(1);
            KNOWN.put(rs.getLong(2), new Known(created.get(name), CLOCK.incrementAndGet()));
            existing.put(name, rs.getLong(2));
          }
        }
      }
    }
    created.clear();
  }

  private String shapeOf(String name) {
    String shape = created.get(name);
    if (shape != null) {
      return shape;
    }
    Long oid = existing.get(name);
    if (oid == null) {
      return null;
    }
    synchronized (KNOWN) {
      Known known = KNOWN.get(oid);
      if (known == null) {
        return null;
      }
      KNOWN.put(oid, new Known(known.shape(), CLOCK.incrementAndGet()));
      return known.shape();
    }
  }

  /**
   * Drops the least recently used kept tables when one more would exceed the capacity. Only tables
   * this JVM created count and are dropped: a {@code __pgt_} table made by anything else (an
   * IMMEDIATE trigger, a caller) may be in use by the current transaction.
   */
  private List<String> evictions() {
    Map<String, Long> kept = new HashMap<>();
    synchronized (KNOWN) {
      existing.forEach(
          (name, oid) -> {
            Known known = KNOWN.get(oid);
            if (known != null && !filled.contains(name)) {
              kept.put(name, known.lastUse());
            }
          });
    }
    List<String> drops = new ArrayList<>();
    while (!kept.isEmpty() && kept.size() + created.size() >= CAPACITY) {
      String oldest = null;
      long oldestUse = Long.MAX_VALUE;
      for (Map.Entry<String, Long> e : kept.entrySet()) {
        if (e.getValue() < oldestUse) {
          oldestUse = e.getValue();
          oldest = e.getKey();
        }
      }
      kept.remove(oldest);
      existing.remove(oldest);
      drops.add("DROP TABLE IF EXISTS pg_temp." + Sql.identifier(oldest));
    }
    return drops;
  }

  /** {@code pg_temp."a""b"} → {@code a"b}. */
  static String relationName(String table) {
    if (!table.startsWith("pg_temp.")) {
      throw new IllegalArgumentException("not a pg_temp table: " + table);
    }
    String name = table.substring("pg_temp.".length());
    if (name.startsWith("\"") && name.endsWith("\"") && name.length() >= 2) {
      return name.substring(1, name.length() - 1).replace("\"\"", "\"");
    }
    return name;
  }
}
