package dev.trickle.bench;

import dev.trickle.capture.WalConsumer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * The WAL consumer of the capture benchmark's database, run in the benchmark's process as the
 * scheduler's leader would run it (no scheduler: the trigger contenders stay as they are without
 * one), and the change-to-visible latency it adds: a single-row UPDATE committed, then a refresh of
 * the contender's stream table, which for WAL capture waits until the consumer has written the
 * change.
 */
final class CaptureWal implements AutoCloseable {
  private final WalConsumer consumer;

  private CaptureWal(WalConsumer consumer) {
    this.consumer = consumer;
  }

  /** Gives the role {@code bench} the REPLICATION attribute and starts the consumer as it. */
  static CaptureWal start(Connection superuser, int port) throws SQLException {
    try (Statement st = superuser.createStatement()) {
      st.execute("ALTER ROLE bench REPLICATION");
    }
    String url = "jdbc:postgresql://localhost:" + port + "/bench";
    WalConsumer consumer =
        new WalConsumer(
            "bench",
            new WalConsumer.Connections() {
              @Override
              public Connection plain(String purpose) throws SQLException {
                Properties p = new Properties();
                p.setProperty("user", "bench");
                p.setProperty("ApplicationName", "trickle benchmark (" + purpose + ")");
                return DriverManager.getConnection(url, p);
              }

              @Override
              public Connection replication() throws SQLException {
                Properties p = new Properties();
                p.setProperty("user", "bench");
                p.setProperty("replication", "database");
                p.setProperty("assumeMinServerVersion", "10");
                p.setProperty("preferQueryMode", "simple");
                return DriverManager.getConnection(url, p);
              }
            },
            Duration.ofSeconds(1));
    consumer.start();
    return new CaptureWal(consumer);
  }

  /** Waits until the WAL contender's table is captured from the WAL. */
  static void awaitMoved(Connection owner) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Statement st = owner.createStatement();
          ResultSet rs = st.executeQuery("SELECT capture FROM pgtrickle.pgt_cdc_status()"
              + " WHERE source_table = 'public." + CaptureContender.WAL.table() + "'")) {
        if (rs.next() && rs.getString(1).equals("wal")) {
          return;
        }
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the WAL contender's table did not move to WAL capture");
  }

  /**
   * Change-to-visible latencies in nanoseconds: {@code samples} times, a single-row UPDATE of the
   * contender's table in autocommit, then from its return until a refresh of the contender's
   * stream table returns (the refresh sees the change).
   */
  static long[] visibleLatency(
      Connection writer, Connection trickle, CaptureContender contender, int samples, int rows)
      throws SQLException {
    long[] nanos = new long[samples];
    try (Statement w = writer.createStatement(); Statement t = trickle.createStatement()) {
      for (int i = 0; i < samples; i++) {
        w.executeUpdate("UPDATE " + contender.table() + " SET abalance = abalance + 1 WHERE aid = "
            + (1 + (i * 7919L) % rows));
        long start = System.nanoTime();
        t.execute("SELECT pgtrickle.refresh_stream_table('" + contender.streamTable() + "')");
        nanos[i] = System.nanoTime() - start;
      }
    }
    return nanos;
  }

  @Override
  public void close() {
    consumer.close();
  }
}
