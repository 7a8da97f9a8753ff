package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.StreamTableChecks;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WAL capture end to end on a server with {@code wal_level = logical}, owned and run by a role
 * that is not a superuser but has the REPLICATION attribute: the scheduler's leader moves the
 * sources between trigger and WAL capture as the stream tables' cdc_mode asks, consumes the slot
 * into the change buffers, and a refresh right after a write sees it (it waits for the consumer).
 * One writer makes seeded random changes, in autocommit and in transactions sent as text (some
 * rolled back), without pause while a source moves, then a refresh: the stream tables equal their
 * queries as multisets after every round, whatever captured each change. The slot and the
 * publication exist from the first WAL-captured source to the last, and status and health show
 * the slot's lag and retained WAL. More rounds: {@code -Dtrickle.wal.rounds=N}; another seed:
 * {@code -Dtrickle.wal.seed=N}.
 */
class WalCaptureTest {
  private static final int ROUNDS = Integer.getInteger("trickle.wal.rounds", 6);
  private static final long SEED = Long.getLong("trickle.wal.seed", 20261206);
  private static final String TOTALS = "SELECT grp, count(*) AS n, sum(v) AS total,"
      + " count(note) AS notes FROM items GROUP BY grp";
  private static final String JOINED =
      "SELECT i.id, i.v, g.name FROM items i JOIN groups g ON g.grp = i.grp";

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
            + " END FROM generate_series(1, 40) i",
        "SELECT pgtrickle.create_stream_table('totals', '" + TOTALS + "', schedule => '1h',"
            + " refresh_mode => 'DIFFERENTIAL')",
        "SELECT pgtrickle.create_stream_table('joined', '" + JOINED + "', schedule => '1h',"
            + " refresh_mode => 'DIFFERENTIAL')");
    db.startScheduler();
  }

  @AfterEach
  void tearDown() throws Exception {
    trickle.close();
    writer.close();
    db.close();
  }

  @Test
  void streamTablesEqualTheirQueriesAcrossMovesBetweenTriggerAndWalCapture() throws Exception {
    Random random = new Random(SEED);
    try (Statement w = writer.createStatement(); Statement t = trickle.createStatement()) {
      for (int round = 0; round < ROUNDS; round++) {
        switch (round % 6) {
          case 1 -> moveWhileWriting(w, t, random, "totals", "wal", "public.items");
          case 2 -> moveWhileWriting(w, t, random, "joined", "wal", "public.groups");
          case 3 -> {
            execute(trickle, alter("totals", "trigger"));
            moveWhileWriting(w, t, random, "joined", "trigger", "public.items");
            db.awaitCapture(trickle, "public.groups", "trigger");
          }
          case 4 -> {
            execute(trickle, alter("joined", "wal"));
            moveWhileWriting(w, t, random, "totals", "wal", "public.items");
            db.awaitCapture(trickle, "public.groups", "wal");
          }
          default -> { }
        }
        if (round == 1) {
          assertSlotShownWithLagAndRetainedWal(t);
          assertTheConsumerWritesTypedColumns(w, t);
        }
        for (int change = 0; change < 12; change++) {
          randomChange(w, random);
        }
        t.execute("SELECT pgtrickle.refresh_stream_table('totals')");
        t.execute("SELECT pgtrickle.refresh_stream_table('joined')");
        assertThat(StreamTableChecks.difference(t, "totals", TOTALS))
            .as("totals after round %d, seed %d", round, SEED).isZero();
        assertThat(StreamTableChecks.difference(t, "joined", JOINED))
            .as("joined after round %d, seed %d", round, SEED).isZero();
      }
      assertThat(StreamTableChecks.value(t, "SELECT count(*) FROM pgtrickle.pgt_refresh_history h"
          + " WHERE h.action IN ('FULL', 'REINITIALIZE') AND h.start_time > (SELECT min(start_time)"
          + " FROM pgtrickle.pgt_refresh_history WHERE action = 'DIFFERENTIAL')"))
          .as(history(t)).isZero();
      createWhileWritesCommit(t);
      execute(trickle, alter("totals", "trigger"), alter("joined", "trigger"));
      Await.until(Duration.ofSeconds(30), "the slot and the publication are dropped with the"
          + " last WAL-captured source", () -> !db.slotExists() && StreamTableChecks.value(t,
              "SELECT count(*) FROM pg_publication WHERE pubname = 'pgtrickle_capture'") == 0);
      randomChange(w, random);
      t.execute("SELECT pgtrickle.refresh_stream_table('totals')");
      assertThat(StreamTableChecks.difference(t, "totals", TOTALS)).isZero();
    }
  }

  /**
   * A change the WAL consumer wrote into a buffer has its values in the buffer's typed columns, not
   * as a json image ({@code dev.trickle.capture.WalBufferWriter}).
   */
  private void assertTheConsumerWritesTypedColumns(Statement w, Statement t) throws Exception {
    assertThat(WalCaptureDatabase.capture(trickle, "public.items")).isEqualTo("wal");
    w.execute("INSERT INTO items VALUES (99999, 1, 2.5, 'typed')");
    t.execute("SELECT pgtrickle.await_wal_capture((SELECT pgt_id FROM pgtrickle.pgt_stream_tables"
        + " WHERE pgt_name = 'totals'), 30000)");
    String buffer = "pgtrickle_changes.changes_"
        + StreamTableChecks.value(t, "SELECT 'items'::regclass::oid");
    assertThat(StreamTableChecks.value(t, "SELECT count(*) FROM " + buffer
        + " WHERE __pgt_op = 'I' AND __pgt_row IS NULL AND __pgt_a1_t23 = 99999"
        + " AND __pgt_a4_t25 = 'typed'")).isEqualTo(1);
  }

  /**
   * Creates a third stream table over the WAL-captured {@code items} while one write, begun
   * before, commits during the create (after it has started, before its initial fill) and another
   * commits right after it (it queues behind the fill's lock on the source): the first is in the
   * fill and its buffer rows are older than the frontier, the second is in the buffer only. After
   * a refresh every stream table equals its query: neither write is counted twice or lost.
   */
  private void createWhileWritesCommit(Statement t) throws Exception {
    assertThat(WalCaptureDatabase.capture(trickle, "public.items")).isEqualTo("wal");
    String sums = "SELECT grp, sum(v) AS total, count(*) AS n FROM items GROUP BY grp";
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (Connection creator = db.trickle(); Connection before = db.plain();
        Connection after = db.plain(); Statement b = before.createStatement()) {
      b.execute("BEGIN");
      b.execute("UPDATE items SET v = v + 100 WHERE grp = 1");
      Future<?> create = threads.submit(() -> {
        execute(creator, "SELECT pgtrickle.create_stream_table('sums', '" + sums + "',"
            + " schedule => '1h', refresh_mode => 'DIFFERENTIAL', cdc_mode => 'wal')");
        return null;
      });
      awaitLockWaits(t, 1);
      Future<?> write = threads.submit(() -> {
        execute(after, "INSERT INTO items VALUES (5000, 2, 7, 'late')");
        return null;
      });
      awaitLockWaits(t, 2);
      b.execute("COMMIT");
      create.get(30, TimeUnit.SECONDS);
      write.get(30, TimeUnit.SECONDS);
    } finally {
      threads.shutdownNow();
    }
    for (String name : new String[] {"totals", "joined", "sums"}) {
      // the scheduler may refresh sums first: it was never refreshed since its population
      t.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
    }
    assertThat(StreamTableChecks.difference(t, "sums", sums)).as(history(t)).isZero();
    String sumsHistory = "SELECT count(*) FROM pgtrickle.get_refresh_history('sums') WHERE action";
    assertThat(StreamTableChecks.value(t, sumsHistory + " IN ('FULL', 'REINITIALIZE')"))
        .as("only the initial population recomputes sums: %s", history(t)).isEqualTo(1);
    assertThat(StreamTableChecks.value(t, sumsHistory + " = 'DIFFERENTIAL'"))
        .as("the late write reaches sums by a DIFFERENTIAL refresh: %s", history(t)).isEqualTo(1);
    assertThat(StreamTableChecks.difference(t, "totals", TOTALS)).isZero();
    assertThat(StreamTableChecks.difference(t, "joined", JOINED)).isZero();
    t.execute("SELECT pgtrickle.drop_stream_table('sums')");
  }

  /** Waits until {@code n} sessions of the database wait for a lock. */
  private static void awaitLockWaits(Statement t, int n) throws Exception {
    Await.until(Duration.ofSeconds(30), n + " session(s) waiting for a lock",
        () -> StreamTableChecks.value(t, "SELECT count(*) FROM pg_stat_activity"
            + " WHERE wait_event_type = 'Lock' AND datname = current_database()") == n);
  }

  /**
   * Asks the stream table for {@code mode} and writes on, one change after another, until the
   * leader has moved {@code source}: some changes commit before the move, some after.
   */
  private void moveWhileWriting(Statement w, Statement t, Random random, String streamTable,
      String mode, String source) throws Exception {
    execute(trickle, alter(streamTable, mode));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!mode.equals(WalCaptureDatabase.capture(trickle, source))) {
      assertThat(System.nanoTime()).as(source + " moves to " + mode).isLessThan(deadline);
      randomChange(w, random);
    }
  }

  private static String alter(String streamTable, String mode) {
    return "SELECT pgtrickle.alter_stream_table('" + streamTable + "', cdc_mode => '" + mode
        + "')";
  }

  /**
   * The slot exists while a source is captured from the WAL; status and health show its lag and
   * retained WAL, and health warns when the retained WAL passes the setting.
   */
  private void assertSlotShownWithLagAndRetainedWal(Statement t) throws Exception {
    assertThat(db.slotExists()).isTrue();
    assertThat(StreamTableChecks.value(t, "SELECT count(*) FROM pgtrickle.pgt_cdc_status()"
        + " WHERE source_table = 'public.items' AND capture = 'wal' AND lag_bytes >= 0"
        + " AND retained_wal_bytes >= 0")).isEqualTo(1);
    try (ResultSet rs = t.executeQuery("SELECT severity, detail FROM pgtrickle.health_check()"
        + " WHERE check_name = 'wal_capture'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString("severity")).isEqualTo("OK");
      assertThat(rs.getString("detail")).startsWith("slot pgtrickle_").contains("behind the server")
          .contains("of WAL retained");
    }
    t.execute("SET pg_trickle.slot_lag_warning_threshold_mb = 0");
    try (ResultSet rs = t.executeQuery("SELECT severity FROM pgtrickle.health_check()"
        + " WHERE check_name = 'wal_capture'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).as("retained WAL past the setting").isEqualTo("WARN");
    }
    t.execute("RESET pg_trickle.slot_lag_warning_threshold_mb");
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
      default -> w.execute("UPDATE items SET id = id + 1000 WHERE id = " + id
          + " AND NOT EXISTS (SELECT FROM items WHERE id = " + (id + 1000) + ")");
    }
  }
}
