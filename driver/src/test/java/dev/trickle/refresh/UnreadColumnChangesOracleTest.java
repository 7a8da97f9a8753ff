package dev.trickle.refresh;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.lastAction;
import static dev.trickle.testing.StreamTableChecks.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sources whose changes touch only columns the query does not read count as unchanged. Three
 * tables joined as TPC-H's orders, nation and region are ({@code o}, {@code n}, {@code r}, each
 * with a comment column no query reads); in some cycles a source gets only comment updates (also
 * ones that set a comment to what it was, and duplicates of a keyless table), in others real
 * changes, in others both. After every refresh each stream table equals its query; a cycle whose
 * changes were all comment updates refreshes nothing (NO_DATA) for the queries that read no
 * comment, while the one reading {@code n}'s comment sees them. The frontiers move
 * past such changes: their buffer rows count towards the cleanup ({@link CleanupPacing}) and are
 * deleted like any consumed ones. The seed is printed
 * on failure.
 */
class UnreadColumnChangesOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final Map<String, String> QUERIES = new LinkedHashMap<>();

  static {
    QUERIES.put("u_agg", "SELECT n.name AS nation, r.name AS region, sum(o.v) AS total,"
        + " count(*) AS cnt FROM o, n, r WHERE n.id = o.n_id AND r.id = n.r_id AND r.name <> 'r2'"
        + " GROUP BY n.name, r.name");
    QUERIES.put("u_join", "SELECT o.id, o.v, n.name FROM o JOIN n ON n.id = o.n_id");
    QUERIES.put("u_count", "SELECT count(*) AS cnt FROM k");
    QUERIES.put("u_keyless", "SELECT k.a, n.name FROM k JOIN n ON n.id = k.a");
  }

  /** Reads the comment of {@code n}: a comment update changes it. */
  private static final String READS_COMMENT =
      "SELECT n.id, n.comment, r.name FROM n JOIN r ON r.id = n.r_id WHERE n.id % 2 = 0";

  @Test
  void sourcesChangedOnlyInUnreadColumnsCountAsUnchanged() throws SQLException {
    long seed = Long.getLong("trickle.oracle.seed", 20261207L);
    Random random = new Random(seed);
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE r (id int PRIMARY KEY, name text, comment text)");
      s.execute("CREATE TABLE n (id int PRIMARY KEY, r_id int, name text, comment text)");
      s.execute("CREATE TABLE o (id int PRIMARY KEY, n_id int, v int, comment text)");
      s.execute("CREATE TABLE k (a int, comment text)");
      s.execute("INSERT INTO r SELECT g, 'r' || g, 'c' FROM generate_series(1, 4) g");
      s.execute("INSERT INTO n SELECT g, 1 + g % 4, 'n' || g % 7, 'c' FROM generate_series(1, 20) g");
      s.execute("INSERT INTO o SELECT g, 1 + g % 22, g % 9, 'c' FROM generate_series(1, 300) g");
      s.execute("INSERT INTO k SELECT g % 6, 'c' FROM generate_series(1, 30) g");
      for (Map.Entry<String, String> e : QUERIES.entrySet()) {
        create(s, e.getKey(), e.getValue());
      }
      create(s, "u_comment", READS_COMMENT);
      for (int cycle = 0; cycle < 40; cycle++) {
        String what = "seed " + seed + ", cycle " + cycle;
        boolean onlyComments = random.nextInt(3) == 0;
        for (String table : new String[] {"r", "n", "o", "k"}) {
          if (random.nextBoolean()) {
            updateComments(s, random, table);
          }
          if (!onlyComments && random.nextInt(3) == 0) {
            realChange(s, random, table);
          }
        }
        for (String name : QUERIES.keySet()) {
          s.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
          assertThat(difference(s, name, QUERIES.get(name))).as("%s, %s", name, what).isZero();
          if (onlyComments) {
            assertThat(lastAction(s, name)).as("%s, %s", name, what).isEqualTo("NO_DATA");
          } else {
            assertThat(lastAction(s, name)).as("%s, %s", name, what)
                .isIn("DIFFERENTIAL", "NO_DATA");
          }
        }
        s.execute("SELECT pgtrickle.refresh_stream_table('u_comment')");
        assertThat(difference(s, "u_comment", READS_COMMENT)).as("u_comment, %s", what).isZero();
      }
      s.execute("INSERT INTO k SELECT g % 6, 'c' FROM generate_series(1, 300) g");
      for (String name : QUERIES.keySet()) {
        s.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
      }
      s.execute("SELECT pgtrickle.refresh_stream_table('u_comment')");
      s.execute("UPDATE o SET comment = comment || 'x'");
      s.execute("UPDATE k SET comment = comment || 'x'");
      String buffered =
          "SELECT (SELECT count(*) FROM pgtrickle_changes.changes_" + oid(s, "o") + ")"
              + " + (SELECT count(*) FROM pgtrickle_changes.changes_" + oid(s, "k") + ")";
      assertThat(value(s, buffered)).as("buffered comment updates").isPositive();
      for (String name : QUERIES.keySet()) {
        s.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
        assertThat(lastAction(s, name)).as(name).isEqualTo("NO_DATA");
        assertThat(difference(s, name, QUERIES.get(name))).as(name).isZero();
      }
      assertThat(value(s, buffered)).as("buffer rows left after every consumer refreshed").isZero();
    }
  }

  private static void create(Statement s, String name, String query) throws SQLException {
    s.execute("SELECT pgtrickle.create_stream_table(name => '" + name + "', query => $$" + query
        + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
  }

  private static long oid(Statement s, String table) throws SQLException {
    return value(s, "SELECT '" + table + "'::regclass::oid::bigint");
  }

  /** Comment updates of a few rows, some back to what they were, some changed twice. */
  private static void updateComments(Statement s, Random random, String table)
      throws SQLException {
    String key = table.equals("k") ? "a" : "id";
    int rows = table.equals("r") ? 4 : table.equals("n") ? 20 : table.equals("k") ? 6 : 300;
    for (int i = 0; i < 1 + random.nextInt(3); i++) {
      int id = (table.equals("k") ? 0 : 1) + random.nextInt(rows);
      switch (random.nextInt(3)) {
        case 0 -> s.execute("UPDATE " + table + " SET comment = comment WHERE " + key + " = " + id);
        case 1 -> s.execute("UPDATE " + table + " SET comment = 'c" + random.nextInt(5) + "' WHERE "
            + key + " = " + id);
        default -> {
          s.execute("UPDATE " + table + " SET comment = 'tmp' WHERE " + key + " = " + id);
          s.execute("UPDATE " + table + " SET comment = 'c' WHERE " + key + " = " + id);
        }
      }
    }
  }

  /** An insert, update of a read column, or delete. */
  private static void realChange(Statement s, Random random, String table) throws SQLException {
    switch (table) {
      case "r" -> s.execute("UPDATE r SET name = 'r" + (1 + random.nextInt(5)) + "' WHERE id = "
          + (1 + random.nextInt(4)));
      case "n" -> s.execute(random.nextBoolean()
          ? "UPDATE n SET name = 'n" + random.nextInt(7) + "' WHERE id = " + (1 + random.nextInt(20))
          : "UPDATE n SET r_id = " + (1 + random.nextInt(4)) + " WHERE id = "
              + (1 + random.nextInt(20)));
      case "o" -> {
        int id = 1 + random.nextInt(330);
        s.execute(switch (random.nextInt(3)) {
          case 0 -> "INSERT INTO o VALUES (" + id + ", " + (1 + random.nextInt(22)) + ", "
              + random.nextInt(9) + ", 'c') ON CONFLICT (id) DO NOTHING";
          case 1 -> "UPDATE o SET v = " + random.nextInt(9) + " WHERE id = " + id;
          default -> "DELETE FROM o WHERE id = " + id;
        });
      }
      default -> s.execute(random.nextBoolean()
          ? "INSERT INTO k VALUES (" + random.nextInt(6) + ", 'c')"
          : "DELETE FROM k WHERE ctid = (SELECT min(ctid) FROM k WHERE a = "
              + random.nextInt(6) + ")");
    }
  }
}
