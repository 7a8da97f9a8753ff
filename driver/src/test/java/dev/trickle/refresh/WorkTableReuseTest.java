package dev.trickle.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.lastAction;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * In steady state a refresh refills the session's work tables ({@link SessionTempTables}) instead
 * of dropping and creating them: creating a table writes the system catalogs, which costs more
 * than a small refresh's work. For each family of plans, after a few refreshes of random changes
 * the work tables keep their oids through further refreshes, and the stream table equals its
 * query after every one, refreshed DIFFERENTIAL.
 */
class WorkTableReuseTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT id, grp, amount FROM items WHERE amount > 3",
        "SELECT grp, count(*) AS n, min(amount) AS low, max(amount) AS high FROM items GROUP BY grp",
        "SELECT a.id, b.id AS next_id FROM items a JOIN items b ON b.id = a.id + 1 AND b.grp = a.grp",
        "SELECT id, grp, rank() OVER (PARTITION BY grp ORDER BY amount) AS r FROM items",
        "SELECT id, amount FROM items ORDER BY amount DESC, id LIMIT 5",
        "WITH RECURSIVE t AS (SELECT id, 0 AS depth FROM items WHERE parent IS NULL UNION ALL"
            + " SELECT i.id, t.depth + 1 FROM items i JOIN t ON i.parent = t.id) SELECT * FROM t",
        "WITH RECURSIVE t AS (SELECT id FROM items WHERE parent IS NULL UNION"
            + " SELECT i.id FROM items i JOIN t ON i.parent = t.id) SELECT * FROM t"
      })
  void steadyRefreshesRefillTheirWorkTables(String query) throws SQLException {
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("DROP STREAM TABLE IF EXISTS st");
      s.execute("DROP TABLE IF EXISTS items CASCADE");
      s.execute("CREATE TABLE items (id int PRIMARY KEY, grp int, amount int, parent int)");
      s.execute("INSERT INTO items SELECT g, g % 5, g % 11, CASE WHEN g > 1 THEN g / 2 END"
          + " FROM generate_series(1, 300) g");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'st', query => $$" + query
          + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      Random random = new Random(query.hashCode());
      changeAndRefresh(s, query, random, 4);
      Map<String, Long> before = workTables(s);
      assertThat(before).isNotEmpty();
      changeAndRefresh(s, query, random, 6);
      assertThat(workTables(s)).containsAllEntriesOf(before);
    }
  }

  /**
   * A join whose changes come from one source, the other or both, in turn: each set of changed
   * sources has its own program, and each program keeps its own work tables.
   */
  @Test
  void programsForDifferentChangedSourcesKeepTheirOwnWorkTables() throws SQLException {
    String query = "SELECT i.id, i.amount, g.label FROM items i JOIN groups g ON g.grp = i.grp";
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("DROP STREAM TABLE IF EXISTS st");
      s.execute("DROP TABLE IF EXISTS items, groups CASCADE");
      s.execute("CREATE TABLE items (id int PRIMARY KEY, grp int, amount int, parent int)");
      s.execute("CREATE TABLE groups (grp int PRIMARY KEY, label text)");
      s.execute("INSERT INTO items SELECT g, g % 5, g % 11, NULL FROM generate_series(1, 300) g");
      s.execute("INSERT INTO groups SELECT g, 'g' || g FROM generate_series(0, 4) g");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'st', query => $$" + query
          + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      Map<String, Long> before = Map.of();
      for (int round = 0; round < 4; round++) {
        for (int turn = 0; turn < 3; turn++) {
          if (turn != 1) {
            s.execute("UPDATE items SET amount = amount + 1 WHERE id = " + (1 + round * 7 + turn));
          }
          if (turn != 0) {
            s.execute("UPDATE groups SET label = label || '+' WHERE grp = " + ((round + turn) % 5));
          }
          s.execute("SELECT pgtrickle.refresh_stream_table('st')");
          assertThat(difference(s, "st", query)).as("round %d, turn %d", round, turn).isZero();
          assertThat(lastAction(s, "st")).isEqualTo("DIFFERENTIAL");
        }
        if (round == 1) {
          before = workTables(s);
        }
      }
      assertThat(workTables(s)).containsAllEntriesOf(before);
    }
  }

  /** Cycles of random inserts, updates (group and parent moves included) and deletes. */
  private static void changeAndRefresh(Statement s, String query, Random random, int cycles)
      throws SQLException {
    for (int cycle = 0; cycle < cycles; cycle++) {
      for (int k = 0; k < 6; k++) {
        int id = 2 + random.nextInt(360);
        switch (random.nextInt(3)) {
          case 0 -> s.execute("INSERT INTO items VALUES (" + id + ", " + random.nextInt(5) + ", "
              + random.nextInt(11) + ", " + (1 + random.nextInt(id - 1)) + ") ON CONFLICT (id) DO NOTHING");
          case 1 -> s.execute("UPDATE items SET grp = " + random.nextInt(5) + ", amount = "
              + random.nextInt(11) + ", parent = " + (1 + random.nextInt(id - 1)) + " WHERE id = " + id);
          default -> s.execute("DELETE FROM items WHERE id = " + id);
        }
      }
      s.execute("SELECT pgtrickle.refresh_stream_table('st')");
      assertThat(difference(s, "st", query)).as("cycle %d", cycle).isZero();
      assertThat(lastAction(s, "st")).as("cycle %d", cycle).isIn("DIFFERENTIAL", "NO_DATA");
    }
  }

  private static Map<String, Long> workTables(Statement s) throws SQLException {
    Map<String, Long> tables = new HashMap<>();
    try (ResultSet rs = s.executeQuery("SELECT relname::text, oid::bigint FROM pg_class"
        + " WHERE relnamespace = pg_my_temp_schema() AND relname LIKE '\\_\\_pgt\\_%'")) {
      while (rs.next()) {
        tables.put(rs.getString(1), rs.getLong(2));
      }
    }
    return tables;
  }
}
