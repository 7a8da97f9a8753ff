package dev.trickle.refresh;

import dev.trickle.sql.Sql;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * fill extends the file again. A {@code DELETE} of a few rows touches one page. Dead rows stay
 * until the page is pruned, so a table grown past {@link #TRUNCATE_BYTES} is emptied with {@code
 * TRUNCATE} before the refresh fills it ({@link #upkeep}: a new file and a catalog update, once in
 * a while). The tables are not
 * vacuumed: a {@code VACUUM} records the live rows of the last small delta as the table's size, and
 * the statements planned next would join two such tables by nested loop, also for the next large
 * delta. The measurements behind these choices are in {@code docs/benchmarks/refresh-path.md}.
 *
 * <p>A table is {@code ANALYZE}d when created; a delta table the upkeep truncated, right after the
 * fill refilled it ({@link #analyzeTruncated}); any other table once more before a later refresh
 * when its statistics say it had no pages (created empty, or truncated) but it has rows now (those
 * of the last fill, a representative size): with no pages recorded the planner assumes ten pages
 * of rows, and joins a small delta by scanning a large table instead of probing its index.
 *
 * <p>A kept table's fill is always the same statement, and the {@code TRUNCATE}s and {@code
 * ANALYZE}s are statements of their own ({@link #upkeep}), never part of a fill: the statements
 * that fill and read the tables run as a function of the session named by their text, planned
 * once ({@link StatementBatch#plannedOncePerSession}), and a fill whose text changed with the
 * table's upkeep made a new function, planned again as a whole. The upkeep invalidates only the
 * plans that read the table it touches.
 *
 * <p>What a session holds is read from {@code pg_class} at the start of every refresh, never
 * assumed: a rollback, {@code DISCARD}, a connection pooler handing out another server session, or
 * an IMMEDIATE trigger dropping a table of the same name all just make a table unknown, and it is
 * created again. A refresh reads only the tables it can use (its stream table's, tagged with its
 * id, and the delta tables of its sources), so its read does not grow with the number of stream
 * tables the session refreshes. A table is reused only when a refresh on the same connection created it (its oid
 * is remembered in the engine's {@link Memory}) with the same shape key, which the caller derives
 * from what fixes the columns (a compilation and its query text, or a buffer's column list with
 * types).
 *
 * <p>At most {@link #CAPACITY} tables are kept per session (the least recently used are dropped, as
 * the engine's {@link Memory} of the tables it created on the connection says): enough for the
 * scheduler's worker session to keep the tables of a thousand stream tables, where dropping and
 * creating them on every refresh would plan every statement again
 * ({@code docs/benchmarks/README.md}, "The scheduler with many stream tables").
 */
public final class SessionTempTables {
  /** Work tables kept per server session. */
  static final int CAPACITY = 2_048;

  /**
   * A kept table at least this large is emptied with TRUNCATE rather than DELETE. Each truncation
   * makes the plans that read the table again (and those of its {@code ANALYZE}), so it should be
   * rare, though the dead rows it removes are scanned until then ({@code
   * docs/benchmarks/tpch.md}).
   */
  static final long TRUNCATE_BYTES = 8 << 20;

  /** Between a table's name and the hash of the columns of one of its lookup indexes. */
  private static final String INDEX_INFIX = "_k";

  /**
   * The shape keys and last use of the work tables refreshes created, by oid, per connection (a
   * closed connection takes its entries with it): what an engine remembers between refreshes.
   */
  public static final class Memory {
    private final int capacity;
    private final ConnectionMemory<Long, Known> known;
    private final AtomicLong clock = new AtomicLong();

    /** Keeps at most {@link #CAPACITY} tables per session. */
    public Memory() {
      this(CAPACITY);
    }

    /** Keeps at most {@code capacity} tables per session. */
    Memory(int capacity) {
      this.capacity = capacity;
      // room to spare: the memory must never forget a table it kept, which then could not be dropped
      this.known = new ConnectionMemory<>(2 * capacity);
    }

    /** What refreshes on {@code c} created, its shape read and its last use moved to now. */
    private Optional<String> touch(Connection c, long oid) {
      Optional<Known> found = known.get(c, oid);
      found.ifPresent(
          k -> known.remember(c, oid, new Known(k.name(), k.shape(), clock.incrementAndGet())));
      return found.map(Known::shape);
    }

    private Optional<Long> lastUse(Connection c, long oid) {
      return known.get(c, oid).map(Known::lastUse);
    }

    private void created(Connection c, long oid, String name, String shape) {
      known.remember(c, oid, new Known(name, shape, clock.incrementAndGet()));
    }

    /** The tables refreshes on {@code c} created, by oid. */
    private Map<Long, Known> kept(Connection c) {
      return known.all(c);
    }

    private void forget(Connection c, long oid) {
      known.forget(c, oid);
    }
  }

  private record Known(String name, String shape, long lastUse) {}

  private final Connection connection;
  private final Memory memory;
  private final Map<String, Long> existing;
  private final Set<String> indexes;
  private final Set<String> large;
  private final Set<String> unanalyzed;
  private final Map<String, String> created = new HashMap<>();
  private final Set<String> filled = new HashSet<>();
  private final Set<String> truncated = new HashSet<>();

  private SessionTempTables(
      Connection connection,
      Memory memory,
      Map<String, Long> existing,
      Set<String> indexes,
      Set<String> large,
      Set<String> unanalyzed) {
    this.connection = connection;
    this.memory = memory;
    this.existing = existing;
    this.indexes = indexes;
    this.large = large;
    this.unanalyzed = unanalyzed;
  }

  /**
   * The work tables in {@code c}'s session now of plans tagged {@code tag} over the sources {@code
   * sourceOids}; {@code memory} knows which ones it may reuse.
   */
  public static SessionTempTables load(
      Connection c, String tag, Collection<Long> sourceOids, Memory memory) throws SQLException {
    StatementBatch batch = new StatementBatch();
    List<SessionTempTables> loaded = new ArrayList<>(1);
    String oids =
        sourceOids.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
    load(batch, c, tag, "(SELECT unnest(" + Sql.literal(oids) + "::bigint[]))", memory,
        loaded::add);
    batch.run(c);
    return loaded.get(0);
  }

  /**
   * Drops the work tables of stream table {@code pgtId} in {@code c}'s session, as the stream table
   * is dropped: those its refreshes and IMMEDIATE triggers made, tagged with its id (never the delta
   * tables of its sources, which other stream tables share); otherwise they stay until the session
   * ends, which in a pool of long-lived connections is never. A table of another stream table that
   * the same pattern matches goes too, and that one's next use creates it again, as after a
   * rollback. A table the role may not drop (another owner's) stays. Other sessions keep theirs.
   */
  public static void dropOf(Connection c, long pgtId) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "DO $pgt$DECLARE t regclass; BEGIN FOR t IN SELECT oid FROM pg_catalog.pg_class"
              + " WHERE relnamespace = pg_catalog.pg_my_temp_schema() AND relkind = 'r'"
              + " AND relname NOT LIKE '\\_\\_pgt\\_delta\\_%' AND "
              + taggedWith(String.valueOf(pgtId))
              + " LOOP BEGIN EXECUTE 'DROP TABLE IF EXISTS ' || t;"
              + " EXCEPTION WHEN insufficient_privilege THEN NULL; END; END LOOP; END$pgt$");
    }
  }

  /**
   * The work tables of stream table {@code pgtId} a refresh can use, as a query of {@code batch},
   * run on {@code c}: those its plans tag with its id and the delta tables of its sources.
   */
  static void load(
      StatementBatch batch,
      Connection c,
      long pgtId,
      Memory memory,
      Consumer<SessionTempTables> loaded) {
    load(batch, c, String.valueOf(pgtId),
        "(SELECT d.source_relid FROM pgtrickle.pgt_dependencies d WHERE d.pgt_id = " + pgtId + ")",
        memory, loaded);
  }

  /**
   * Adds the query of the work tables tagged {@code tag} ({@code __pgt_<role>_<tag>}, and {@code
   * __pgt_<role>_<tag>_<more>} for a program variant's, a recursion's or a nested delta's) and of
   * the delta tables, with their indexes, of the sources {@code sourceOids} (a subquery of one
   * column) to {@code batch}, and the delta tables of pseudo-sources (negative oids: a recursion's
   * own rows). A table of another stream table may match too (tag 1 matches {@code
   * __pgt_ddelta_6_1}); it is only looked at, never filled by this refresh.
   */
  private static void load(
      StatementBatch batch,
      Connection c,
      String tag,
      String sourceOids,
      Memory memory,
      Consumer<SessionTempTables> loaded) {
    batch.add(
        "SELECT relname::text, oid::bigint, relkind = 'i' AS index,"
            + " relkind = 'r' AND pg_catalog.pg_relation_size(oid) >= "
            + TRUNCATE_BYTES
            + " AS large, relkind = 'r' AND relpages = 0 AND pg_catalog.pg_relation_size(oid) > 0"
            + " AS unanalyzed FROM pg_catalog.pg_class"
            + " WHERE relnamespace = pg_catalog.pg_my_temp_schema() AND relkind IN ('r', 'i')"
            + " AND (" + taggedWith(tag)
            + " OR relname LIKE '\\_\\_pgt\\_delta\\_-%'"
            + " OR relname LIKE ANY (SELECT '\\_\\_pgt\\_delta\\_' || q.s || '%' FROM "
            + sourceOids + " AS q (s)))",
        rs -> {
          Map<String, Long> existing = new HashMap<>();
          Set<String> indexes = new HashSet<>();
          Set<String> large = new HashSet<>();
          Set<String> unanalyzed = new HashSet<>();
          while (rs.next()) {
            if (rs.getBoolean("index")) {
              indexes.add(rs.getString("relname"));
              continue;
            }
            existing.put(rs.getString("relname"), rs.getLong("oid"));
            if (rs.getBoolean("large")) {
              large.add(rs.getString("relname"));
            }
            if (rs.getBoolean("unanalyzed")) {
              unanalyzed.add(rs.getString("relname"));
            }
          }
          loaded.accept(new SessionTempTables(c, memory, existing, indexes, large, unanalyzed));
        });
  }

  /**
   * The statements that make {@code table} hold exactly the rows of {@code query}.
   *
   * @param table {@code pg_temp."name"}
   * @param shape fixes the query's column names and types: equal shapes, equal columns
   */
  public List<String> fill(String table, String shape, String query) {
    return fill(table, shape, query, List.of());
  }

  /**
   * As {@link #fill(String, String, String)}, for a table that is also looked up by equality on
   * each of {@code lookups} (column lists): each gets an index, created with the table or, for a
   * kept table, once before the first fill that asks for it. An index stays with the table: other
   * refreshes of the session fill it too, whether or not they look it up.
   */
  public List<String> fill(String table, String shape, String query, Collection<List<String>> lookups) {
    String name = relationName(table);
    List<String> statements = new ArrayList<>(2);
    if (shape.equals(shapeOf(name))) {
      statements.addAll(missingIndexes(name, table, lookups));
      // One statement, not a DELETE and an INSERT: the data-modifying CTE sees only the rows
      // from before the statement, and a small refresh pays the server's per-statement cost
      // about as much as its work.
      statements.add("WITH __pgt_emptied AS (DELETE FROM " + table + ") INSERT INTO " + table + " " + query);
    } else {
      statements.addAll(evictions());
      statements.add("DROP TABLE IF EXISTS " + table);
      statements.add("CREATE TEMP TABLE " + table + " AS " + query);
      indexes.removeIf(index -> index.startsWith(name + INDEX_INFIX));
      statements.addAll(missingIndexes(name, table, lookups));
      statements.add("ANALYZE " + table);
      existing.remove(name);
      created.put(name, shape);
    }
    filled.add(name);
    return statements;
  }

  /** {@code CREATE INDEX} of each lookup of table {@code name} the session does not have yet. */
  private List<String> missingIndexes(String name, String table, Collection<List<String>> lookups) {
    List<String> statements = new ArrayList<>();
    for (List<String> columns : lookups) {
      String index = name + INDEX_INFIX + Integer.toHexString(String.join(",", columns).hashCode());
      if (indexes.add(index)) {
        statements.add(
            "CREATE INDEX " + Sql.identifier(index) + " ON " + table + " (" + Sql.identifiers(columns) + ")");
      }
    }
    return statements;
  }

  /**
   * The upkeep of the kept tables refreshes on this connection created, to run as their owner
   * before this refresh fills any of them: {@code TRUNCATE} of a table grown past {@link
   * #TRUNCATE_BYTES}, {@code ANALYZE} of one that has rows but no pages in its statistics. Empty
   * (no round trip) on most refreshes. Tables anything else made are left alone: an IMMEDIATE
   * trigger's may be in use by the current transaction.
   */
  public StatementBatch upkeep() {
    StatementBatch batch = new StatementBatch();
    existing.forEach(
        (name, oid) -> {
          if (memory.lastUse(connection, oid).isPresent()) {
            if (large.contains(name)) {
              batch.add("TRUNCATE pg_temp." + Sql.identifier(name));
              truncated.add(name);
            } else if (unanalyzed.contains(name)) {
              batch.add("ANALYZE pg_temp." + Sql.identifier(name));
            }
          }
        });
    large.clear();
    unanalyzed.clear();
    return batch;
  }

  /**
   * {@code ANALYZE} of the tables {@link #upkeep} truncated that this refresh has filled since, to
   * run before anything reads them: the plans that read a truncated table are then made again
   * once, with its statistics, rather than once without (the planner would assume ten pages) and
   * once more when the next refresh analyzes it. Empty (no round trip) on most refreshes.
   */
  public StatementBatch analyzeTruncated() {
    StatementBatch batch = new StatementBatch();
    for (String name : List.copyOf(truncated)) {
      if (filled.contains(name)) {
        batch.add("ANALYZE pg_temp." + Sql.identifier(name));
        truncated.remove(name);
      }
    }
    return batch;
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
        while (rs.next()) {
          String name = rs.getString("relname");
          long oid = rs.getLong("oid");
          memory.created(c, oid, name, created.get(name));
          existing.put(name, oid);
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
    return oid == null ? null : memory.touch(connection, oid).orElse(null);
  }

  /**
   * Drops the least recently used kept tables when one more would exceed the capacity. Only tables
   * refreshes on this connection created count and are dropped: a {@code __pgt_} table made by
   * anything else (an IMMEDIATE trigger, a caller) may be in use by the current transaction.
   */
  private List<String> evictions() {
    Map<Long, Known> kept = new HashMap<>(memory.kept(connection));
    kept.values().removeIf(k -> filled.contains(k.name()) || created.containsKey(k.name()));
    List<String> drops = new ArrayList<>();
    while (!kept.isEmpty() && kept.size() + created.size() >= memory.capacity) {
      long oldest = -1;
      long oldestUse = Long.MAX_VALUE;
      for (Map.Entry<Long, Known> e : kept.entrySet()) {
        if (e.getValue().lastUse() < oldestUse) {
          oldestUse = e.getValue().lastUse();
          oldest = e.getKey();
        }
      }
      String name = kept.remove(oldest).name();
      memory.forget(connection, oldest);
      existing.remove(name);
      drops.add("DROP TABLE IF EXISTS pg_temp." + Sql.identifier(name));
    }
    return drops;
  }

  /**
   * The condition on {@code relname} that matches the work tables tagged {@code tag}: {@code
   * __pgt_<role>_<tag>} and {@code __pgt_<role>_<tag>_<more>}, in parentheses.
   */
  private static String taggedWith(String tag) {
    String own = "\\_\\_pgt\\_%\\_" + likeEscaped(tag);
    return "(relname LIKE " + Sql.literal(own) + " OR relname LIKE " + Sql.literal(own + "\\_%")
        + ")";
  }

  /** {@code text} as a LIKE pattern that matches only itself. */
  private static String likeEscaped(String text) {
    return text.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%");
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
