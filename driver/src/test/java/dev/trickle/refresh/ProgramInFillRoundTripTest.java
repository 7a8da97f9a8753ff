package dev.trickle.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.lastAction;
import static dev.trickle.testing.StreamTableChecks.lastCounts;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A refresh after one that applied a small batch sends the differential program for the same
 * sources with the delta fill, under a savepoint ({@link SmallBatches}), kept only when the fill
 * confirms it. The sources that change vary from cycle to cycle (only {@code a}, only {@code b},
 * both, neither), so the program sent ahead is often the wrong one and must be rolled back. Around
 * it: a second stream table on source {@code b} refreshes only every third cycle, so {@code b}'s
 * buffer keeps rows the join already consumed (which must not count as changes); some cycles
 * change the sources inside the transaction that then refreshes the join (a savepoint inside the
 * caller's transaction); a truncation and a batch over the bound take the general path. After
 * every refresh in autocommit each stream table equals its query, refreshed DIFFERENTIAL when
 * nothing forced otherwise.
 */
class ProgramInFillRoundTripTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String JOIN =
      "SELECT a.id, a.v, b.label FROM a JOIN b ON b.id = a.b_id";
  private static final String BS = "SELECT id, label FROM b WHERE label <> 'x'";

  @Test
  void theProgramSentAheadStandsOnlyWhenTheFillConfirmsIt() throws SQLException {
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
      assertThat(lastCounts(s, "bs")).as("history counts of a refresh sent ahead").isEqualTo("3/0");
      s.execute("UPDATE b SET label = 'n1b' WHERE id = 1001");
      s.execute("DELETE FROM b WHERE id = 1002");
      s.execute("SELECT pgtrickle.refresh_stream_table('bs')");
      assertThat(lastCounts(s, "bs")).isEqualTo("1/2");
      assertThat(difference(s, "bs", BS)).isZero();
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
