package dev.trickle.refresh;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.lastAction;
import static dev.trickle.testing.StreamTableChecks.lastCounts;
import static dev.trickle.testing.StreamTableChecks.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A refresh that repeats the last small batch of its stream table on the connection commits in
 * its first round trip ({@link RefreshInOneRoundTrip}); the server declines whenever what it reads
 * or finds differs, and the refresh then runs again in two round trips. Round trips are counted as
 * the {@code Sync} messages PgJDBC sends on the test's thread during the refresh.
 */
class OneRoundTripRefreshTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final Logger PGJDBC = Logger.getLogger("org.postgresql.core.v3.QueryExecutorImpl");
  private static final String PAID = "SELECT id, amount FROM orders WHERE status = 'paid'";

  private final AtomicInteger syncs = new AtomicInteger();
  private final Handler syncCounter =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLongThreadID() == Thread.currentThread().getId()
              && record.getMessage() != null
              && record.getMessage().contains("FE=> Sync")) {
            syncs.incrementAndGet();
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private Level levelBefore;

  @BeforeEach
  void countSyncs() {
    levelBefore = PGJDBC.getLevel();
    PGJDBC.setLevel(Level.FINEST);
    PGJDBC.addHandler(syncCounter);
  }

  @AfterEach
  void stopCounting() {
    PGJDBC.removeHandler(syncCounter);
    PGJDBC.setLevel(levelBefore);
  }

  @Test
  void aRepeatedSmallBatchCommitsInItsFirstRoundTripWithTheCountsItWrote() throws SQLException {
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      createOrders(s, "single");
      for (int warmUp = 0; warmUp < 3; warmUp++) {
        s.execute("UPDATE orders SET amount = amount + 1 WHERE id = " + (10 + warmUp));
        s.execute("SELECT pgtrickle.refresh_stream_table('paid')");
      }

      s.execute("INSERT INTO orders (id, status, amount) VALUES (1001, 'paid', 5), (1002, 'paid', 6),"
          + " (1003, 'paid', 7)");
      assertThat(roundTripsOfRefresh(s, "paid")).as("round trips").isEqualTo(1);
      assertThat(lastAction(s, "paid")).isEqualTo("DIFFERENTIAL");
      assertThat(lastCounts(s, "paid")).as("history counts").isEqualTo("3/0");

      s.execute("UPDATE orders SET amount = 99 WHERE id = 1001");
      s.execute("DELETE FROM orders WHERE id IN (1002, 1003)");
      assertThat(roundTripsOfRefresh(s, "paid")).as("round trips").isEqualTo(1);
      assertThat(lastCounts(s, "paid")).as("history counts").isEqualTo("1/3");
      assertThat(difference(s, "paid", PAID)).isZero();

      assertThat(roundTripsOfRefresh(s, "paid")).as("round trips without changes").isEqualTo(1);
      assertThat(lastAction(s, "paid")).isEqualTo("NO_DATA");
      assertThat(lastCounts(s, "paid")).isEqualTo("0/0");
      assertThat(value(s, "SELECT count(*) FROM pgtrickle.pgt_stream_tables"
              + " WHERE pgt_name = 'paid' AND data_timestamp = (SELECT max(start_time)"
              + " FROM pgtrickle.pgt_refresh_history)"))
          .as("data timestamp: the last refresh's frontier time").isEqualTo(1);
    }
  }

  /**
   * A repeated refresh runs as one call of a session function ({@link RefreshFunction}): the
   * session holds one such function for the stream table, and the refresh depends on it (with the
   * function dropped, the next refresh takes more round trips, and the one after next creates it
   * again); a changed definition replaces it; a session that lost it (DISCARD TEMP) gets it again.
   * The stream table equals its query after every refresh, and the history counts are the rows
   * written.
   */
  @Test
  void aRepeatedRefreshIsOneCallOfASessionFunction() throws SQLException {
    String held = "FROM pg_proc WHERE pronamespace = pg_my_temp_schema()"
        + " AND proname LIKE '\\_\\_pgt\\_refresh\\_%'";
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      createOrders(s, "called");
      for (int i = 0; i < 8; i++) {
        // Ids of the form 3k + 1 are 'paid' (createOrders).
        s.execute("UPDATE orders SET amount = amount + 2 WHERE id IN (" + (1 + 3 * (20 + i)) + ", "
            + (1 + 3 * (40 + i)) + ")");
        int roundTrips = roundTripsOfRefresh(s, "paid");
        if (i >= 3) {
          assertThat(roundTrips).as("round trips").isEqualTo(1);
          assertThat(lastCounts(s, "paid")).as("history counts").isEqualTo("2/2");
        }
        assertThat(difference(s, "paid", PAID)).isZero();
      }
      assertThat(value(s, "SELECT count(*) " + held)).as("functions the session holds").isEqualTo(1);

      String name;
      try (ResultSet rs = s.executeQuery("SELECT proname::text " + held)) {
        rs.next();
        name = rs.getString(1);
      }
      s.execute("DROP FUNCTION pg_temp.\"" + name + "\"()");
      s.execute("UPDATE orders SET amount = amount + 1 WHERE id = 50");
      assertThat(roundTripsOfRefresh(s, "paid")).as("round trips without the function").isGreaterThan(1);
      assertThat(difference(s, "paid", PAID)).isZero();
      refreshAfter("the drop", s, PAID, 51, 3, 2);
      assertThat(value(s, "SELECT count(*) " + held)).as("functions held again").isEqualTo(1);

      String amounts = "SELECT id, amount * 2 AS amount FROM orders WHERE status = 'paid'";
      s.execute("SELECT pgtrickle.alter_stream_table('paid', query => $$" + amounts + "$$)");
      // The new program's work tables are created, filled, then analyzed: a few refreshes.
      refreshAfter("the change", s, amounts, 60, 10, 7);
      assertThat(value(s, "SELECT count(*) " + held + " AND proname <> '" + name + "'"))
          .as("functions held after the definition changed, none the old one").isEqualTo(1);

      s.execute("DISCARD TEMP");
      refreshAfter("DISCARD TEMP", s, amounts, 80, 5, 3);
      assertThat(value(s, "SELECT count(*) " + held)).as("functions held after DISCARD TEMP").isEqualTo(1);
    }
  }

  /**
   * Between refreshes that commit in one round trip, things change that the server must notice:
   * another source changes, a batch over the bound, a truncation, the stream table altered from
   * another connection, a source's columns, the session's work tables discarded, another connection
   * refreshing. After every refresh the stream table equals its query, every refresh left exactly
   * one history row, and none failed; the third refresh after a disruption commits in one round trip
   * again (the first finds the stream table afresh, the second measures only the work tables the
   * first filled, the third repeats the second).
   */
  @Test
  void theServerDeclinesWhenWhatItReadsOrFindsDiffers() throws SQLException {
    long seed = 20261203L;
    Random random = new Random(seed);
    String[] query = {"SELECT o.id, o.amount, c.region FROM orders o JOIN customers c"
        + " ON c.id = o.customer_id WHERE o.status = 'paid'"};
    try (Connection c = db.connectWithoutScheduler();
        Connection other = db.connectWithoutScheduler();
        Statement s = c.createStatement();
        Statement o = other.createStatement()) {
      createOrders(s, "declines");
      o.execute("SET search_path = declines, public");
      s.execute("CREATE TABLE customers (id int PRIMARY KEY, region text)");
      s.execute("INSERT INTO customers SELECT g, 'r' || g % 4 FROM generate_series(1, 20) g");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'joined', query => $$" + query[0]
          + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      for (int cycle = 0; cycle < 40; cycle++) {
        String what = "seed " + seed + ", cycle " + cycle;
        switch (cycle) {
          case 12 -> s.execute("UPDATE customers SET region = 'moved' WHERE id = 3");
          case 15 -> s.execute("INSERT INTO orders SELECT g, 'paid', g % 50, 1 + g % 20"
              + " FROM generate_series(5001, 11000) g");
          case 19 -> {
            s.execute("TRUNCATE customers");
            s.execute("INSERT INTO customers SELECT g, 'r' || g % 3 FROM generate_series(1, 20) g");
          }
          case 23 -> {
            query[0] = "SELECT o.id, o.amount, c.region FROM orders o JOIN customers c"
                + " ON c.id = o.customer_id WHERE o.status <> 'void'";
            o.execute("SELECT pgtrickle.alter_stream_table('joined', query => $$" + query[0]
                + "$$)");
          }
          case 27 -> s.execute("ALTER TABLE customers ADD COLUMN note text");
          case 31 -> s.execute("DISCARD TEMP");
          case 35 -> {
            o.execute("UPDATE orders SET amount = amount + 1 WHERE id = 7");
            o.execute("SELECT pgtrickle.refresh_stream_table('joined')");
          }
          default -> { }
        }
        for (int k = 0; k < 3; k++) {
          int id = 1 + random.nextInt(220);
          s.execute(random.nextBoolean()
              ? "UPDATE orders SET amount = " + random.nextInt(50) + ", status = "
                  + (random.nextInt(3) == 0 ? "'void'" : "'paid'") + " WHERE id = " + id
              : "INSERT INTO orders VALUES (" + id + ", 'paid', " + random.nextInt(50) + ", "
                  + (1 + random.nextInt(20)) + ") ON CONFLICT (id) DO UPDATE"
                  + " SET amount = excluded.amount + 1");
        }
        long historyBefore = historyRows(s);
        int roundTrips = roundTripsOfRefresh(s, "joined");
        if ((cycle >= 4 && cycle <= 11) || cycle == 30 || cycle >= 36) {
          assertThat(roundTrips).as(what + ": round trips, far from the last disruption").isOne();
        }
        assertThat(difference(s, "joined", query[0])).as(what).isZero();
        assertThat(historyRows(s)).as(what + ": history rows added").isEqualTo(historyBefore + 1);
        assertThat(lastAction(s, "joined")).as(what)
            .isIn("DIFFERENTIAL", cycle == 15 || cycle == 19 ? "FULL" : "DIFFERENTIAL");
      }
      assertThat(value(s, "SELECT count(*) FROM pgtrickle.pgt_refresh_history"
              + " WHERE status <> 'COMPLETED'"))
          .as("failed refreshes recorded").isZero();
    }
  }

  /** Creates the extension, and {@code orders} with stream table {@code paid} in a new schema. */
  private static void createOrders(Statement s, String schema) throws SQLException {
    s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
    s.execute("CREATE SCHEMA " + schema);
    s.execute("SET search_path = " + schema + ", public");
    s.execute("CREATE TABLE orders (id int PRIMARY KEY, status text, amount int, customer_id int)");
    s.execute("INSERT INTO orders SELECT g, CASE WHEN g % 3 = 0 THEN 'void' ELSE 'paid' END,"
        + " g % 50, 1 + g % 20 FROM generate_series(1, 200) g");
    s.execute("SELECT pgtrickle.create_stream_table(name => 'paid', query => $$" + PAID
        + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
  }

  /**
   * Refreshes {@code paid} {@code refreshes} times, after changing one row each time (ids from
   * {@code firstId} on); asserts it equals {@code query} after each, and that the refreshes from
   * the {@code settledFrom}-th on (counting from 0) take one round trip.
   */
  private void refreshAfter(
      String disruption, Statement s, String query, int firstId, int refreshes, int settledFrom)
      throws SQLException {
    for (int i = 0; i < refreshes; i++) {
      s.execute("UPDATE orders SET amount = amount + 1 WHERE id = " + (firstId + i));
      int roundTrips = roundTripsOfRefresh(s, "paid");
      if (i >= settledFrom) {
        assertThat(roundTrips).as("round trips, refresh " + i + " after " + disruption).isEqualTo(1);
      }
      assertThat(difference(s, "paid", query)).isZero();
    }
  }

  private int roundTripsOfRefresh(Statement s, String name) throws SQLException {
    syncs.set(0);
    s.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
    return syncs.get();
  }

  private static long historyRows(Statement s) throws SQLException {
    return value(s, "SELECT count(*) FROM pgtrickle.pgt_refresh_history h JOIN"
        + " pgtrickle.pgt_stream_tables t USING (pgt_id) WHERE t.pgt_name = 'joined'");
  }
}
