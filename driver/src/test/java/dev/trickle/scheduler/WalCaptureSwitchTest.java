package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.StreamTableChecks;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Moving a source between trigger and WAL capture while {@value #WRITERS} clients write to it,
 * each in transactions of its own that insert a ledger row and update its counter row (some
 * rolled back), and a refresher refreshes all along: every committed transaction is counted
 * exactly once, none lost at a move, none doubled. The stream tables (a count per writer over the
 * ledger, and the counters themselves) equal their queries and the writers' own count of their
 * commits. The consumer sees, in one batch, transactions whose ids are newer than its own: under
 * concurrent writers their ids are not in commit order. Seed: {@code -Dtrickle.wal.seed=N}.
 */
class WalCaptureSwitchTest {
  private static final int WRITERS = 8;
  private static final long SEED = Long.getLong("trickle.wal.seed", 20261207);
  private static final String LEDGER =
      "SELECT writer, count(*) AS n, sum(amount) AS total FROM ledger GROUP BY writer";
  private static final String COUNTED = "SELECT writer, n, total FROM counters";

  private WalCaptureDatabase db;
  private Connection trickle;

  @BeforeEach
  void setUp() throws Exception {
    db = new WalCaptureDatabase("switch");
    trickle = db.trickle();
    execute(trickle, "CREATE EXTENSION pg_trickle",
        "CREATE TABLE ledger (id bigserial PRIMARY KEY, writer int NOT NULL, amount int NOT NULL)",
        "CREATE TABLE counters (writer int PRIMARY KEY, n bigint NOT NULL, total bigint NOT NULL)",
        "INSERT INTO counters SELECT w, 0, 0 FROM generate_series(0, " + (WRITERS - 1) + ") w",
        "SELECT pgtrickle.create_stream_table('ledger_st', '" + LEDGER + "', schedule => '1h',"
            + " refresh_mode => 'DIFFERENTIAL')",
        "SELECT pgtrickle.create_stream_table('counted_st', '" + COUNTED + "', schedule => '1h',"
            + " refresh_mode => 'DIFFERENTIAL')");
    db.startScheduler();
  }

  @AfterEach
  void tearDown() throws Exception {
    trickle.close();
    db.close();
  }

  @Test
  void movesUnderConcurrentWritersLoseAndDoubleNothing() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLongArray committed = new AtomicLongArray(WRITERS);
    AtomicLongArray amounts = new AtomicLongArray(WRITERS);
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
    List<Future<?>> running = new ArrayList<>();
    try {
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        running.add(pool.submit(() -> write(writer, stop, committed, amounts)));
      }
      running.add(pool.submit(() -> refreshUntil(stop)));
      Thread.sleep(200);
      alterCdcMode("wal");
      db.awaitCapture(trickle, "public.ledger", "wal");
      db.awaitCapture(trickle, "public.counters", "wal");
      Thread.sleep(600);
      alterCdcMode("trigger");
      db.awaitCapture(trickle, "public.ledger", "trigger");
      db.awaitCapture(trickle, "public.counters", "trigger");
      Thread.sleep(200);
    } finally {
      stop.set(true);
      for (Future<?> task : running) {
        task.get();
      }
      pool.shutdown();
    }
    try (Statement t = trickle.createStatement()) {
      t.execute("SELECT pgtrickle.refresh_stream_table('ledger_st')");
      t.execute("SELECT pgtrickle.refresh_stream_table('counted_st')");
      assertThat(StreamTableChecks.difference(t, "ledger_st", LEDGER)).as("seed %d", SEED).isZero();
      assertThat(StreamTableChecks.difference(t, "counted_st", COUNTED))
          .as("seed %d", SEED).isZero();
      long total = 0;
      for (int w = 0; w < WRITERS; w++) {
        total += committed.get(w);
        assertThat(StreamTableChecks.value(t, "SELECT coalesce(sum(n), 0) FROM ledger_st WHERE"
            + " writer = " + w)).as("commits of writer %d, seed %d", w, SEED)
            .isEqualTo(committed.get(w));
        assertThat(StreamTableChecks.value(t, "SELECT n FROM counted_st WHERE writer = " + w))
            .as("counter of writer %d, seed %d", w, SEED).isEqualTo(committed.get(w));
        assertThat(StreamTableChecks.value(t, "SELECT total FROM counted_st WHERE writer = " + w))
            .as("amounts of writer %d, seed %d", w, SEED).isEqualTo(amounts.get(w));
      }
      assertThat(total).as("transactions committed during the moves").isGreaterThan(50);
    }
  }

  private void alterCdcMode(String mode) throws SQLException {
    execute(trickle,
        "SELECT pgtrickle.alter_stream_table('ledger_st', cdc_mode => '" + mode + "')",
        "SELECT pgtrickle.alter_stream_table('counted_st', cdc_mode => '" + mode + "')");
  }

  private Void write(int writer, AtomicBoolean stop, AtomicLongArray committed,
      AtomicLongArray amounts) throws Exception {
    Random random = new Random(SEED * 31 + writer);
    try (Connection c = db.plain(); Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      while (!stop.get()) {
        int amount = random.nextInt(100) + 1;
        st.execute("INSERT INTO ledger (writer, amount) VALUES (" + writer + ", " + amount + ")");
        st.execute("UPDATE counters SET n = n + 1, total = total + " + amount
            + " WHERE writer = " + writer);
        if (random.nextInt(10) == 0) {
          c.rollback();
        } else {
          c.commit();
          committed.incrementAndGet(writer);
          amounts.addAndGet(writer, amount);
        }
      }
    }
    return null;
  }

  /**
   * Refreshes, accepting one refusal: a refresh whose snapshot predates an alter of the stream
   * table that committed meanwhile (the moves are alters) is refused and runs again next time.
   */
  private static void refresh(Statement st, String name) throws SQLException {
    try {
      st.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
    } catch (SQLException e) {
      if (!"55000".equals(e.getSQLState()) || !e.getMessage().contains("snapshot is older")) {
        throw e;
      }
    }
  }

  private Void refreshUntil(AtomicBoolean stop) throws Exception {
    try (Connection c = db.trickle(); Statement st = c.createStatement()) {
      while (!stop.get()) {
        refresh(st, "ledger_st");
        refresh(st, "counted_st");
        try (ResultSet rs = st.executeQuery("SELECT pg_sleep(0.05)")) {
          rs.next();
        }
      }
    }
    return null;
  }
}
