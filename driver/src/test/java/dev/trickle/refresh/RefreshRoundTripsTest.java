package dev.trickle.refresh;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.lastAction;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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
 * How many round trips a manual refresh in autocommit costs, counted as the {@code Sync} messages
 * PgJDBC sends on the test's thread during {@code refresh_stream_table} (a pipelined {@code BEGIN}
 * rides with the statements after it). The figures are those {@code docs/architecture.md} gives
 * (*One transport*); a change of the refresh path that adds a round trip fails here and must say
 * why in that page. Each refresh is checked against its query too.
 */
class RefreshRoundTripsTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final Logger PGJDBC = Logger.getLogger("org.postgresql.core.v3.QueryExecutorImpl");

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
  void aSmallDifferentialRefreshTakesFiveRoundTripsAndOneWithoutChangesFour() throws SQLException {
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      String query = createOrders(s, "orders", "paid", "DIFFERENTIAL");
      // The warm-ups create the session's work tables and analyze once those created empty
      // (SessionTempTables.upkeep, a round trip of its own when due).
      for (int warmUp = 0; warmUp < 4; warmUp++) {
        s.execute("UPDATE orders SET amount = amount + 1 WHERE id = " + (10 + warmUp));
        s.execute("SELECT pgtrickle.refresh_stream_table('paid')");
      }

      s.execute("UPDATE orders SET amount = amount + 1, status = 'paid' WHERE id BETWEEN 20 AND 29");
      // the manual refresh's catalog read, the prologue, the delta fill, the program, the closing
      assertThat(roundTripsOfRefresh(s, "paid")).as("round trips, 10 changed rows").isEqualTo(5);
      assertThat(lastAction(s, "paid")).isEqualTo("DIFFERENTIAL");
      assertThat(difference(s, "paid", query)).isZero();

      // no program
      assertThat(roundTripsOfRefresh(s, "paid")).as("round trips, no changes").isEqualTo(4);
      assertThat(lastAction(s, "paid")).isEqualTo("NO_DATA");
    }
  }

  @Test
  void aFullRefreshThatReplacesTheContentsTakesSevenRoundTrips() throws SQLException {
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      String query = createOrders(s, "orders_full", "paid_full", "FULL");
      s.execute("UPDATE orders_full SET amount = amount + 1, status = 'paid' WHERE id BETWEEN 20 AND 29");
      // the catalog read, the prologue, whether anything changed, the query's shape (and whether
      // it is planned in parallel), the way to replace the contents with the ACCESS EXCLUSIVE lock
      // tried, the replacement, the closing with the cleanup of the change buffers
      assertThat(roundTripsOfRefresh(s, "paid_full")).as("round trips, FULL").isEqualTo(7);
      assertThat(lastAction(s, "paid_full")).isEqualTo("FULL");
      assertThat(difference(s, "paid_full", query)).isZero();
    }
  }

  private int roundTripsOfRefresh(Statement s, String name) throws SQLException {
    syncs.set(0);
    s.execute("SELECT pgtrickle.refresh_stream_table('" + name + "')");
    return syncs.get();
  }

  /** Creates {@code table} and a stream table {@code name} of its paid orders; returns the query. */
  private static String createOrders(Statement s, String table, String name, String mode)
      throws SQLException {
    s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
    s.execute("CREATE TABLE " + table
        + " (id int PRIMARY KEY, status text NOT NULL, amount int NOT NULL)");
    s.execute("INSERT INTO " + table + " SELECT g, CASE WHEN g % 3 = 0 THEN 'paid' ELSE 'open' END,"
        + " g FROM generate_series(1, 1000) g");
    String query = "SELECT id, amount FROM " + table + " WHERE status = 'paid'";
    s.execute("SELECT pgtrickle.create_stream_table(name => '" + name + "', query => $$" + query
        + "$$, schedule => '1h', refresh_mode => '" + mode + "')");
    return query;
  }
}
