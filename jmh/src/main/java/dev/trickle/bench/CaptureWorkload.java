package dev.trickle.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The writes of the capture and IMMEDIATE benchmarks on pgbench-shaped tables ({@link PgbenchRig}),
 * through plain PgJDBC (capture and IMMEDIATE maintenance are in the server, so how the
 * application connects does not matter): single-row INSERT, UPDATE and
 * DELETE of an accounts table in autocommit, a bulk UPDATE of 100,000 rows, and pgbench's {@code
 * -N} transaction from several clients at once. Every contender writes its own copy of {@code
 * pgbench_accounts}; single-row statements alternate between the copies one by one, so that every
 * contender's statements meet the same load of a shared machine.
 */
final class CaptureWorkload {
  /** Rows of {@code pgbench_accounts} per unit of scale, as in pgbench. */
  static final int ACCOUNTS_PER_SCALE = 100_000;

  private final String url;
  private final int scale;
  private final SplittableRandom random;

  CaptureWorkload(String url, int scale, long seed) {
    this.url = url;
    this.scale = scale;
    this.random = new SplittableRandom(seed);
  }

  /**
   * Single-row latencies in nanoseconds, per accounts table in {@code tables} and kind (INSERT,
   * UPDATE, DELETE): {@code ops} inserts, then updates, then deletes, each statement followed by
   * the same statement on the next table (the next contender's).
   */
  long[][][] singleRows(List<String> tables, int ops) throws SQLException {
    int n = tables.size();
    long[][][] nanos = new long[n][3][ops];
    int base = ACCOUNTS_PER_SCALE * scale + 1;
    List<PreparedStatement[]> statements = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url)) {
      for (String table : tables) {
        statements.add(new PreparedStatement[] {
            c.prepareStatement(
                "INSERT INTO " + table + " (aid, bid, abalance, filler) VALUES (?, 1, 0, '')"),
            c.prepareStatement("UPDATE " + table + " SET abalance = abalance + ? WHERE aid = ?"),
            c.prepareStatement("DELETE FROM " + table + " WHERE aid = ?")});
      }
      for (int kind = 0; kind < 3; kind++) {
        for (int i = 0; i < ops; i++) {
          int delta = random.nextInt(-5000, 5001);
          int aid = 1 + random.nextInt(ACCOUNTS_PER_SCALE * scale);
          for (int k = 0; k < n; k++) {
            PreparedStatement ps = statements.get(k)[kind];
            if (kind == 1) {
              ps.setInt(1, delta);
              ps.setInt(2, aid);
            } else {
              ps.setInt(1, base + i);
            }
            nanos[k][kind][i] = timed(ps);
          }
        }
      }
    } finally {
      for (PreparedStatement[] group : statements) {
        for (PreparedStatement ps : group) {
          ps.close();
        }
      }
    }
    return nanos;
  }

  /** One UPDATE of 100,000 rows of {@code table} ({@code aid % scale = k}), in nanoseconds. */
  long bulkUpdate(String table, int k) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps = c.prepareStatement(
            "UPDATE " + table + " SET abalance = abalance + 1 WHERE aid % ? = ?")) {
      ps.setInt(1, scale);
      ps.setInt(2, k % scale);
      return timed(ps);
    }
  }

  /**
   * Transactions per second of {@code clients} connections, each running pgbench's {@code -N}
   * transaction (update an account of {@code table}, read it, insert a history row) for {@code
   * seconds}.
   */
  double tps(String table, int clients, int seconds) throws Exception {
    return tps(table, clients, seconds, 0);
  }

  /**
   * As {@link #tps(String, int, int)}, the clock started once every client has run {@code warmup}
   * transactions on its connection (a session's history can change what its writes cost).
   */
  double tps(String table, int clients, int seconds, int warmup) throws Exception {
    AtomicLong committed = new AtomicLong();
    List<TimedClients.Client> all = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      long seed = random.nextLong();
      all.add((stop, warm) -> runClient(table, seed, stop, committed, warmup, warm));
    }
    double elapsed = TimedClients.run(all, seconds, () -> committed.set(0));
    return committed.get() / elapsed;
  }

  private void runClient(
      String table, long seed, AtomicBoolean stop, AtomicLong committed, int warmup,
      Runnable warm) throws SQLException {
    SplittableRandom r = new SplittableRandom(seed);
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement update = c.prepareStatement(
            "UPDATE " + table + " SET abalance = abalance + ? WHERE aid = ?");
        PreparedStatement select = c.prepareStatement(
            "SELECT abalance FROM " + table + " WHERE aid = ?");
        PreparedStatement history = c.prepareStatement(
            "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime)"
                + " VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
      c.setAutoCommit(false);
      for (long done = 0; !stop.get(); done++) {
        if (done == warmup) {
          warm.run();
        }
        int aid = 1 + r.nextInt(ACCOUNTS_PER_SCALE * scale);
        int delta = r.nextInt(-5000, 5001);
        update.setInt(1, delta);
        update.setInt(2, aid);
        update.executeUpdate();
        select.setInt(1, aid);
        try (ResultSet rs = select.executeQuery()) {
          rs.next();
        }
        history.setInt(1, 1 + r.nextInt(10 * scale));
        history.setInt(2, 1 + r.nextInt(scale));
        history.setInt(3, aid);
        history.setInt(4, delta);
        history.executeUpdate();
        c.commit();
        committed.incrementAndGet();
      }
    }
  }

  /** Between measurements, untimed: vacuums the tables the writes touched and checkpoints. */
  static void settle(Connection c, List<CaptureContender> contenders) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (CaptureContender contender : contenders) {
        st.execute("VACUUM " + contender.table());
      }
      st.execute("VACUUM pgbench_history");
      st.execute("CHECKPOINT");
    }
  }

  private static long timed(PreparedStatement ps) throws SQLException {
    long start = System.nanoTime();
    ps.executeUpdate();
    return System.nanoTime() - start;
  }

  /** The median of {@code nanos}, in milliseconds. */
  static double medianMs(long[] nanos) {
    return median(Arrays.stream(nanos).asDoubleStream().toArray()) / 1e6;
  }

  /** The median of {@code values}. */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
