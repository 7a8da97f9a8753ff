package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.StreamTableChecks;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WAL capture end to end on a server with {@code wal_level = logical}, owned and run by a role
 * that is not a superuser but has the REPLICATION attribute: the scheduler's leader moves the
 * sources of a {@code cdc_mode 'wal'} stream table to the WAL, consumes the slot into the change
 * buffers, and a refresh right after a write sees it (it waits for the consumer). Seeded random
 * changes, in autocommit and in transactions sent as text (some rolled back), then a refresh: the
 * stream table equals its query as a multiset. More rounds: {@code -Dtrickle.wal.rounds=N}.
 */
class WalCaptureTest {
  private static final int ROUNDS = Integer.getInteger("trickle.wal.rounds", 4);

  private WalCaptureDatabase db;
  private Connection trickle;
  private Connection writer;

  @BeforeEach
  void setUp() throws Exception {
    db = new WalCaptureDatabase("oracle");
    trickle = db.trickle();
    writer = db.plain();
    execute(trickle, "CREATE EXTENSION pg_trickle",
        "CREATE TABLE items (id int PRIMARY KEY, grp int, v numeric, note text)",
        "CREATE TABLE groups (grp int PRIMARY KEY, name text)",
        "INSERT INTO groups SELECT g, 'g' || g FROM generate_series(0, 4) g",
        "INSERT INTO items SELECT i, i % 5, i * 1.5, CASE WHEN i % 3 = 0 THEN NULL ELSE 'n' || i"
            + " END FROM generate_series(1, 40) i");
    db.startScheduler();
  }

  @AfterEach
  void tearDown() throws Exception {
    trickle.close();
    writer.close();
    db.close();
  }

  @Test
  void streamTablesOverWalCapturedSourcesEqualTheirQueriesAfterRandomChanges() throws Exception {
    String totals = "SELECT grp, count(*) AS n, sum(v) AS total, count(note) AS notes"
        + " FROM items GROUP BY grp";
    String joined = "SELECT i.id, i.v, g.name FROM items i JOIN groups g ON g.grp = i.grp";
    execute(trickle,
        "SELECT pgtrickle.create_stream_table('totals', '" + totals + "', schedule => '1h',"
            + " refresh_mode => 'DIFFERENTIAL', cdc_mode => 'wal')",
        "SELECT pgtrickle.create_stream_table('joined', '" + joined + "', schedule => '1h',"
            + " refresh_mode => 'DIFFERENTIAL', cdc_mode => 'wal')");
    db.awaitCapture(trickle, "public.items", "wal");
    db.awaitCapture(trickle, "public.groups", "wal");
    Random random = new Random(20261206);
    try (Statement w = writer.createStatement(); Statement t = trickle.createStatement()) {
      for (int round = 0; round < ROUNDS; round++) {
        for (int change = 0; change < 12; change++) {
          randomChange(w, random);
        }
        t.execute("SELECT pgtrickle.refresh_stream_table('totals')");
        t.execute("SELECT pgtrickle.refresh_stream_table('joined')");
        assertThat(StreamTableChecks.difference(t, "totals", totals))
            .as("totals after round %d", round).isZero();
        assertThat(StreamTableChecks.difference(t, "joined", joined))
            .as("joined after round %d", round).isZero();
      }
      assertThat(StreamTableChecks.value(t, "SELECT count(*) FROM pgtrickle.pgt_refresh_history h"
          + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) WHERE s.pgt_name = 'totals'"
          + " AND h.action = 'DIFFERENTIAL' AND h.rows_inserted + h.rows_deleted > 0"))
          .as(history(t)).isGreaterThanOrEqualTo(ROUNDS / 2);
      assertThat(StreamTableChecks.value(t, "SELECT count(*) FROM pgtrickle.pgt_refresh_history h"
          + " WHERE h.action IN ('FULL', 'REINITIALIZE') AND h.start_time > (SELECT min(start_time)"
          + " FROM pgtrickle.pgt_refresh_history WHERE action = 'DIFFERENTIAL')"))
          .as(history(t)).isZero();
      assertThat(StreamTableChecks.value(t,
          "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'pgtrickle_capture%'")).isZero();
    }
  }

  private static String history(Statement t) throws Exception {
    StringBuilder out = new StringBuilder();
    try (var rs = t.executeQuery("SELECT s.pgt_name, h.action, h.initiated_by, h.rows_inserted,"
        + " h.rows_deleted, h.reason FROM pgtrickle.pgt_refresh_history h"
        + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id) ORDER BY h.refresh_id")) {
      while (rs.next()) {
        for (int i = 1; i <= 6; i++) {
          out.append(rs.getString(i)).append(i < 6 ? " " : "\n");
        }
      }
    }
    return out.toString();
  }

  private static void randomChange(Statement w, Random random) throws Exception {
    int id = random.nextInt(60) + 1;
    int grp = random.nextInt(5);
    switch (random.nextInt(6)) {
      case 0 -> w.execute("INSERT INTO items VALUES (" + id + ", " + grp + ", " + id
          + ".25, NULL) ON CONFLICT (id) DO UPDATE SET v = items.v + 1");
      case 1 -> w.execute("UPDATE items SET v = v * 2, note = 'u\"\\' || id WHERE grp = " + grp);
      case 2 -> w.execute("DELETE FROM items WHERE id % 7 = " + random.nextInt(7));
      case 3 -> {
        w.execute("BEGIN");
        w.execute("UPDATE items SET grp = " + grp + " WHERE id = " + id);
        w.execute("INSERT INTO items VALUES (" + (100 + id) + ", " + grp + ", 1, 'x')"
            + " ON CONFLICT DO NOTHING");
        w.execute(random.nextBoolean() ? "COMMIT" : "ROLLBACK");
      }
      case 4 -> {
        w.execute("BEGIN");
        w.execute("UPDATE groups SET name = name || '+' WHERE grp = " + grp);
        w.execute("SAVEPOINT s");
        w.execute("DELETE FROM items WHERE grp = " + grp);
        w.execute("ROLLBACK TO SAVEPOINT s");
        w.execute("UPDATE items SET note = NULL WHERE id = " + id);
        w.execute("COMMIT");
      }
      default -> w.execute("UPDATE items SET id = id + 1000 WHERE id = " + id);
    }
  }
}
