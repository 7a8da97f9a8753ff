package dev.trickle.service;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.lastAction;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Top-n stream tables over a source whose size moves around n: a top that is not full takes the
 * inner query's delta as it is, and one that fills up, or holds n rows and loses some, is
 * recomputed. Random inserts, deletes and updates (NULL sort keys, duplicate rows, ties), seeded;
 * after every refresh each stream table equals its query and the refresh was differential. An
 * OFFSET query never takes the delta as it is and must stay exact too.
 */
class TopBelowCapacityOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final List<String> QUERIES = List.of(
      "SELECT id, v FROM top_src ORDER BY v DESC NULLS LAST, id LIMIT 10",
      "SELECT v FROM top_src ORDER BY v NULLS FIRST LIMIT 8",
      "SELECT v, count(*) AS n FROM top_src GROUP BY v ORDER BY n DESC, v NULLS FIRST LIMIT 4",
      "SELECT id, v FROM top_src WHERE v IS NOT NULL ORDER BY v FETCH FIRST 6 ROWS WITH TIES",
      "SELECT id, v FROM top_src ORDER BY v, id LIMIT 5 OFFSET 2");

  private static Connection c;
  private static Statement s;

  @BeforeAll
  static void open() throws SQLException {
    c = db.connectWithoutScheduler();
    s = c.createStatement();
    s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
    s.execute("CREATE TABLE top_src (id int, v int)");
    s.execute("INSERT INTO top_src VALUES (1, 5), (2, 5), (3, NULL)");
    for (int i = 0; i < QUERIES.size(); i++) {
      s.execute("SELECT pgtrickle.create_stream_table(name => 'top_" + i + "', query => $$"
          + QUERIES.get(i) + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
    }
  }

  @AfterAll
  static void close() throws SQLException {
    s.execute("DROP EXTENSION IF EXISTS pg_trickle CASCADE");
    c.close();
  }

  @Test
  void everyTopEqualsItsQueryWhileTheSourceGrowsAndShrinksAroundN() throws SQLException {
    Random random = new Random(20261207);
    for (int round = 0; round < 60; round++) {
      // grow for 20 rounds, shrink for 20, then wander: the tops fill, overflow and empty again
      int phase = round / 20;
      for (int k = 1 + random.nextInt(3); k > 0; k--) {
        int choice = random.nextInt(10);
        boolean insert = phase == 0 ? choice < 7 : phase == 1 ? choice < 2 : choice < 5;
        String v = random.nextInt(6) == 0 ? "NULL" : String.valueOf(random.nextInt(8));
        if (insert) {
          s.execute("INSERT INTO top_src VALUES (" + random.nextInt(30) + ", " + v + ")");
        } else if (choice == 9) {
          s.execute("UPDATE top_src SET v = " + v + " WHERE id = " + random.nextInt(30));
        } else {
          s.execute("DELETE FROM top_src WHERE ctid IN (SELECT ctid FROM top_src ORDER BY random() LIMIT 1)");
        }
      }
      for (int i = 0; i < QUERIES.size(); i++) {
        s.execute("SELECT pgtrickle.refresh_stream_table('top_" + i + "')");
        assertThat(difference(s, "top_" + i, QUERIES.get(i)))
            .as("round %d, rows of top_%d differing from %s", round, i, QUERIES.get(i)).isZero();
        assertThat(lastAction(s, "top_" + i)).isIn("DIFFERENTIAL", "NO_DATA");
      }
    }
  }
}
