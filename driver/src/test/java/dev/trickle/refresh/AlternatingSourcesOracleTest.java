package dev.trickle.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.lastAction;
import static dev.trickle.testing.StreamTableChecks.lastCounts;
import static dev.trickle.testing.StreamTableChecks.value;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Refreshes whose changed sources vary from cycle to cycle (only {@code a}, only {@code b}, both,
 * neither), so each runs another variant of the differential program over the same work tables.
 * Around it: a second stream table on source {@code b} refreshes only every third cycle, so {@code b}'s
 * buffer keeps rows the join already consumed (which must not count as changes); some cycles
 * change the sources inside the transaction that then refreshes the join (a savepoint inside the
 * caller's transaction); a truncation and a batch over the bound take the general path. After
 * every refresh in autocommit each stream table equals its query, refreshed DIFFERENTIAL when
 * nothing forced otherwise.
 */
class AlternatingSourcesOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String JOIN =
      "SELECT a.id, a.v, b.label FROM a JOIN b ON b.id = a.b_id";
  private static final String BS = "SELECT id, label FROM b WHERE label <> 'x'";

  @Test
  void everyRefreshEqualsTheQueryWhateverSourcesChanged() throws SQLException {
    long seed = 20261202L;
    Random random = new Random(seed);
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE b (id int PRIMARY KEY, label text)");
      s.execute("CREATE TABLE a (id int PRIMARY KEY, b_id int, v int)");
      s.execute("INSERT INTO b SELECT g, 'b' || g FROM generate_series(1, 50) g");
      s.execute("INSERT INTO a SELECT g, 1 + g % 60, g % 7 FROM generate_series(1, 400) g");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'joined', query => $$" + JOIN
          + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'bs', query => $$" + BS
          + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      for (int cycle = 0; cycle < 30; cycle++) {
        String what = "seed " + seed + ", cycle " + cycle;
        if (cycle == 17) {
          s.execute("TRUNCATE b");
          s.execute("INSERT INTO b SELECT g, 'b' || g FROM generate_series(1, 40) g");
        } else if (cycle == 23) {
          s.execute("INSERT INTO a SELECT g, 1 + g % 60, g % 7 FROM generate_series(10001, 16000) g");
        } else if (cycle % 4 == 1) {
          c.setAutoCommit(false);
          if (random.nextBoolean()) {
            s.execute("UPDATE b SET label = 'b' || id + " + random.nextInt(9) + " WHERE id = "
                + (1 + random.nextInt(60)));
          }
          changeA(s, random);
          s.execute("SELECT pgtrickle.refresh_stream_table('joined')");
          assertThat(lastAction(s, "joined")).as(what).isIn("DIFFERENTIAL", "NO_DATA");
          c.commit();
          c.setAutoCommit(true);
        } else {
          if (random.nextInt(3) > 0) {
            changeA(s, random);
          }
          if (random.nextBoolean()) {
            s.execute("UPDATE b SET label = " + (random.nextInt(4) == 0 ? "'x'" : "'b' || id + "
                + random.nextInt(9)) + " WHERE id = " + (1 + random.nextInt(60)));
          }
        }
        s.execute("SELECT pgtrickle.refresh_stream_table('joined')");
        assertThat(difference(s, "joined", JOIN)).as(what).isZero();
        assertThat(lastAction(s, "joined")).as(what)
            .isIn("DIFFERENTIAL", "NO_DATA", cycle == 17 || cycle == 23 ? "FULL" : "DIFFERENTIAL");
        if (cycle % 3 == 2) {
          s.execute("SELECT pgtrickle.refresh_stream_table('bs')");
          assertThat(difference(s, "bs", BS)).as(what).isZero();
        }
      }
      s.execute("SELECT pgtrickle.refresh_stream_table('bs')");
      s.execute("INSERT INTO b VALUES (1001, 'n1'), (1002, 'n2'), (1003, 'n3')");
      s.execute("SELECT pgtrickle.refresh_stream_table('bs')");
      assertThat(lastCounts(s, "bs")).as("history counts").isEqualTo("3/0");
      s.execute("UPDATE b SET label = 'n1b' WHERE id = 1001");
      s.execute("DELETE FROM b WHERE id = 1002");
      s.execute("SELECT pgtrickle.refresh_stream_table('bs')");
      assertThat(lastCounts(s, "bs")).isEqualTo("1/2");
      assertThat(difference(s, "bs", BS)).isZero();
    }
  }

  /**
   * A refresh that confirms a remembered target sends the fill and the program with its first
   * statements, before it has read the catalog or the session's work tables; they stand only when
   * the definition and the work tables are the ones remembered. Here the query is altered (from
   * another connection, then from this one), the session's work tables are discarded, and another
   * connection refreshes in between (so the stored frontier moved without this connection
   * knowing): after every refresh the stream table equals its query and no failure was recorded.
   */
  @Test
  void aFillSentWithTheFirstStatementsStandsOnlyForTheRememberedDefinitionAndTables()
      throws SQLException {
    long seed = 20261203L;
    Random random = new Random(seed);
    String[] query = {"SELECT id, v FROM c WHERE v % 3 <> 0"};
    try (Connection c = db.connectWithoutScheduler();
        Connection other = db.connectWithoutScheduler();
        Statement s = c.createStatement();
        Statement o = other.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE c (id int PRIMARY KEY, v int)");
      s.execute("INSERT INTO c SELECT g, g % 11 FROM generate_series(1, 300) g");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'cs', query => $$" + query[0]
          + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      for (int cycle = 0; cycle < 24; cycle++) {
        String what = "seed " + seed + ", cycle " + cycle;
        switch (cycle) {
          case 6 -> {
            query[0] = "SELECT id, v, v * 2 AS w FROM c WHERE v % 3 <> 0";
            o.execute("SELECT pgtrickle.alter_stream_table('cs', query => $$" + query[0] + "$$)");
          }
          case 10 -> {
            query[0] = "SELECT id, v FROM c WHERE v % 2 = 0";
            s.execute("SELECT pgtrickle.alter_stream_table('cs', query => $$" + query[0] + "$$)");
          }
          case 14, 15 -> s.execute("DISCARD TEMP");
          case 18 -> {
            o.execute("UPDATE c SET v = v + 1 WHERE id = " + (1 + random.nextInt(300)));
            o.execute("SELECT pgtrickle.refresh_stream_table('cs')");
          }
          default -> { }
        }
        for (int k = 0; k < 3; k++) {
          int id = 1 + random.nextInt(320);
          s.execute(random.nextBoolean()
              ? "UPDATE c SET v = " + random.nextInt(11) + " WHERE id = " + id
              : "INSERT INTO c VALUES (" + id + ", " + random.nextInt(11)
                  + ") ON CONFLICT (id) DO UPDATE SET v = excluded.v + 1");
        }
        s.execute("SELECT pgtrickle.refresh_stream_table('cs')");
        assertThat(difference(s, "cs", query[0])).as(what).isZero();
        assertThat(lastAction(s, "cs")).as(what).isEqualTo("DIFFERENTIAL");
      }
      assertThat(value(s, "SELECT count(*) FROM pgtrickle.pgt_refresh_history h"
              + " JOIN pgtrickle.pgt_stream_tables t USING (pgt_id)"
              + " WHERE t.pgt_name = 'cs' AND h.status <> 'COMPLETED'"))
          .as("failed refreshes recorded").isZero();
    }
  }

  /**
   * The refresh that cleans up a change buffer of {@link BufferVacuum#MIN_BYTES} or more gives its
   * space back after its transaction, so inserts reuse it rather than grow the buffer: a thousand
   * rows of changes, consumed again and again, leave the buffer at the size of a few batches. A
   * drained buffer is truncated (a new file), one that still holds rows is vacuumed; this one is
   * drained by every refresh, so each cleanup truncates it. The stream table stays equal to its
   * query.
   */
  @Test
  void aCleanedUpBufferGivesItsSpaceBack() throws SQLException {
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE d (id int PRIMARY KEY, v int)");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'ds', query => $$SELECT id, v FROM d"
          + " WHERE v > 0$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      String file = "SELECT pg_relation_filenode(to_regclass('pgtrickle_changes.changes_'"
          + " || 'd'::regclass::oid))";
      String pages =
          "SELECT pg_relation_size(to_regclass('pgtrickle_changes.changes_'"
              + " || 'd'::regclass::oid)) / 8192";
      s.execute("INSERT INTO d SELECT g, g % 5 FROM generate_series(1, 1000) g");
      long onePass = value(s, pages);
      long firstFile = value(s, file);
      s.execute("SELECT pgtrickle.refresh_stream_table('ds')");
      long largest = 0;
      for (int cycle = 0; cycle < 30; cycle++) {
        s.execute("UPDATE d SET v = v + 1");
        largest = Math.max(largest, value(s, pages));
        s.execute("SELECT pgtrickle.refresh_stream_table('ds')");
        assertThat(difference(s, "ds", "SELECT id, v FROM d WHERE v > 0")).as("cycle %d", cycle)
            .isZero();
      }
      assertThat(value(s, file)).as("the drained buffer truncated").isNotEqualTo(firstFile);
      assertThat(largest).as("buffer pages before a refresh (one batch of inserts: %d)", onePass)
          .isLessThan(onePass * 6);
    }
  }

  private static void changeA(Statement s, Random random) throws SQLException {
    for (int k = 0; k < 4; k++) {
      int id = 1 + random.nextInt(450);
      switch (random.nextInt(3)) {
        case 0 -> s.execute("INSERT INTO a VALUES (" + id + ", " + (1 + random.nextInt(60)) + ", "
            + random.nextInt(7) + ") ON CONFLICT (id) DO NOTHING");
        case 1 -> s.execute("UPDATE a SET b_id = " + (1 + random.nextInt(60)) + ", v = "
            + random.nextInt(7) + " WHERE id = " + id);
        default -> s.execute("DELETE FROM a WHERE id = " + id);
      }
    }
  }
}
