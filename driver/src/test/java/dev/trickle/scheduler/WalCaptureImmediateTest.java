package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.StreamTableChecks;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WAL capture leaves a source alone that only IMMEDIATE stream tables read, whatever their
 * cdc_mode: it has no buffer, so the scheduler's leader has nothing to move to the WAL and puts it
 * in no publication. A DIFFERENTIAL reader with cdc_mode 'auto' added later gets it captured from
 * the WAL; once that reader is dropped the source leaves the publication and has no capture again,
 * and the IMMEDIATE stream table stays exact throughout. Seed: {@code -Dtrickle.wal.seed=N}.
 */
class WalCaptureImmediateTest {
  private static final long SEED = Long.getLong("trickle.wal.seed", 20261207);
  private static final String GROUPS =
      "SELECT grp, count(*) AS n, sum(v) AS total FROM src GROUP BY grp";
  private static final String OTHER = "SELECT id, v FROM other";

  private WalCaptureDatabase db;
  private Connection trickle;
  private Connection writer;

  @BeforeEach
  void setUp() throws Exception {
    db = new WalCaptureDatabase("imm");
    trickle = db.trickle();
    writer = db.plain();
    execute(trickle, "CREATE EXTENSION pg_trickle",
        "CREATE TABLE src (id int PRIMARY KEY, grp int, v int)",
        "CREATE TABLE other (id int PRIMARY KEY, v int)",
        "INSERT INTO src SELECT g, g % 4, g FROM generate_series(1, 30) g",
        "INSERT INTO other SELECT g, g FROM generate_series(1, 5) g",
        "SELECT pgtrickle.create_stream_table('imm_groups', $$" + GROUPS + "$$,"
            + " refresh_mode => 'IMMEDIATE', cdc_mode => 'auto')",
        "CREATE STREAM TABLE imm_rows WITH (refresh_mode = 'IMMEDIATE', cdc_mode = 'auto') AS"
            + " SELECT id, v FROM src WHERE v % 2 = 0",
        "SELECT pgtrickle.create_stream_table('other_st', $$" + OTHER + "$$, schedule => '1h',"
            + " refresh_mode => 'DIFFERENTIAL', cdc_mode => 'auto')");
    db.startScheduler();
  }

  @AfterEach
  void tearDown() throws Exception {
    trickle.close();
    writer.close();
    db.close();
  }

  @Test
  void anImmediateOnlySourceIsNeverCapturedFromTheWal() throws Exception {
    Random random = new Random(SEED);
    try (Statement w = writer.createStatement(); Statement t = trickle.createStatement()) {
      // The leader has checked every source once it moved this one.
      db.awaitCapture(trickle, "public.other", "wal");
      assertNoCapture(t, "src read by IMMEDIATE stream tables only");
      writeAndCheckImmediate(w, t, random, "no capture");

      t.execute("SELECT pgtrickle.create_stream_table('deferred', $$" + GROUPS + "$$,"
          + " schedule => '1h', refresh_mode => 'DIFFERENTIAL', cdc_mode => 'auto')");
      db.awaitCapture(trickle, "public.src", "wal");
      for (int round = 1; round <= 3; round++) {
        writeAndCheckImmediate(w, t, random, "WAL-captured, round " + round);
        t.execute("SELECT pgtrickle.refresh_stream_table('deferred')");
        assertThat(StreamTableChecks.difference(t, "deferred", GROUPS))
            .as("deferred, round %d, seed %d", round, SEED).isZero();
      }

      t.execute("DROP STREAM TABLE deferred");
      assertNoCapture(t, "src after its last deferred reader was dropped");
      Thread.sleep(500);
      assertNoCapture(t, "src after a few passes of the leader");
      writeAndCheckImmediate(w, t, random, "after the drop");
    }
  }

  private static void assertNoCapture(Statement t, String what) throws SQLException {
    assertThat(StreamTableChecks.value(t, "SELECT count(*) FROM pgtrickle.pgt_change_buffers"
        + " WHERE source_relid = 'src'::regclass")).as("%s: registered buffers", what).isZero();
    assertThat(StreamTableChecks.value(t, "SELECT count(*) FROM pg_publication_tables"
        + " WHERE tablename = 'src'")).as("%s: in a publication", what).isZero();
    assertThat(StreamTableChecks.value(t, "SELECT count(*) FROM pg_trigger WHERE tgrelid ="
        + " 'src'::regclass AND tgname LIKE 'pgtrickle\\_capture\\_%'"))
        .as("%s: capture triggers", what).isZero();
    assertThat(StreamTableChecks.value(t, "SELECT count(*) FROM pgtrickle.pgt_cdc_status()"
        + " WHERE source_table = 'public.src'")).as("%s: cdc status rows", what).isZero();
  }

  private static void writeAndCheckImmediate(Statement w, Statement t, Random r, String when)
      throws SQLException {
    for (int i = 0; i < 15; i++) {
      int id = 1 + r.nextInt(40);
      w.execute(switch (r.nextInt(3)) {
        case 0 -> "INSERT INTO src VALUES (" + id + ", " + r.nextInt(4) + ", " + r.nextInt(50)
            + ") ON CONFLICT (id) DO UPDATE SET v = excluded.v";
        case 1 -> "UPDATE src SET v = v + 1, grp = " + r.nextInt(4) + " WHERE id = " + id;
        default -> "DELETE FROM src WHERE id = " + id;
      });
    }
    assertThat(StreamTableChecks.difference(t, "imm_groups", GROUPS))
        .as("imm_groups, %s, seed %d", when, SEED).isZero();
    assertThat(StreamTableChecks.difference(t, "imm_rows",
        "SELECT id, v FROM src WHERE v % 2 = 0"))
        .as("imm_rows, %s, seed %d", when, SEED).isZero();
  }
}
