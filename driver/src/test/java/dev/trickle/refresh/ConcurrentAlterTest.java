package dev.trickle.refresh;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.lastAction;
import static dev.trickle.testing.StreamTableChecks.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A manual refresh that overlaps an alter (or resume) of the same stream table in another
 * transaction waits for it to commit and then refreshes the stream table as changed: it is neither
 * refused as if its snapshot were stale nor run on the definition the alter replaced. Only a
 * refresh overtaken by one change after another gives up, with 40001 and a message saying so.
 */
class ConcurrentAlterTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String QUERY = "SELECT id, v FROM src WHERE v % 2 = 0";
  private static final String NEW_QUERY = "SELECT id, v, v * 2 AS w FROM src WHERE v % 3 = 0";

  private Connection altering;
  private Connection refreshing;
  private Statement a;
  private Statement r;
  private ExecutorService pool;

  @BeforeEach
  void setUp() throws SQLException {
    altering = db.connectWithoutScheduler();
    refreshing = db.connectWithoutScheduler();
    a = altering.createStatement();
    r = refreshing.createStatement();
    a.setQueryTimeout(60);
    r.setQueryTimeout(60);
    pool = Executors.newSingleThreadExecutor();
    a.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
    a.execute("CREATE TABLE src (id int PRIMARY KEY, v int)");
    a.execute("INSERT INTO src SELECT g, g FROM generate_series(1, 100) g");
    a.execute("SELECT pgtrickle.create_stream_table(name => 'st', query => $$" + QUERY
        + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
  }

  @AfterEach
  void tearDown() throws SQLException {
    pool.shutdownNow();
    if (!altering.getAutoCommit()) {
      altering.rollback();
      altering.setAutoCommit(true);
    }
    a.execute("DROP EXTENSION IF EXISTS pg_trickle CASCADE");
    a.execute("DROP TABLE IF EXISTS src");
    refreshing.close();
    altering.close();
  }

  @Test
  void aRefreshDuringAScheduleChangeWaitsAndRefreshes() throws Exception {
    assertThat(refreshDuring("SELECT pgtrickle.alter_stream_table('st', schedule => '2h')"))
        .isEqualTo("DIFFERENTIAL");
    assertThat(difference(r, "st", QUERY)).isZero();
    assertThat(text("SELECT schedule FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'st'"))
        .isEqualTo("2h");
  }

  @Test
  void aRefreshDuringAQueryChangeRefreshesTheNewQuery() throws Exception {
    assertThat(refreshDuring(
            "SELECT pgtrickle.alter_stream_table('st', query => $$" + NEW_QUERY + "$$)"))
        .as("the alter recomputed it, nothing changed since")
        .isEqualTo("NO_DATA");
    assertThat(difference(r, "st", NEW_QUERY)).isZero();
    r.execute("UPDATE src SET v = v + 1 WHERE id > 90");
    r.execute("SELECT pgtrickle.refresh_stream_table('st')");
    assertThat(lastAction(r, "st")).isEqualTo("DIFFERENTIAL");
    assertThat(difference(r, "st", NEW_QUERY)).isZero();
  }

  @Test
  void aRefreshDuringARefreshModeChangeRefreshesInTheNewMode() throws Exception {
    assertThat(refreshDuring("SELECT pgtrickle.alter_stream_table('st', refresh_mode => 'FULL')"))
        .isEqualTo("FULL");
    assertThat(difference(r, "st", QUERY)).isZero();
  }

  @Test
  void aRefreshDuringAResumeWaitsAndRefreshes() throws Exception {
    assertThat(refreshDuring("SELECT pgtrickle.resume_stream_table('st')"))
        .isEqualTo("DIFFERENTIAL");
    assertThat(difference(r, "st", QUERY)).isZero();
  }

  /**
   * Changes the source, runs {@code change} in a transaction held open until a refresh on the
   * other connection waits for it, commits, and returns the refresh's action.
   */
  private String refreshDuring(String change) throws Exception {
    r.execute("UPDATE src SET v = v + 1 WHERE id <= 10");
    altering.setAutoCommit(false);
    a.execute(change);
    Future<String> refresh = refreshInBackground();
    awaitLockWaits(1);
    altering.commit();
    return refresh.get(60, TimeUnit.SECONDS);
  }

  /**
   * Each alter takes the catalog row while the refresh waits for the one before: the refresh
   * starts again after each, and after the third it gives up with 40001, saying what happened.
   */
  @Test
  void aRefreshOvertakenByAlterAfterAlterGivesUpWithARetryableError() throws Exception {
    altering.setAutoCommit(false);
    a.execute("SELECT pgtrickle.alter_stream_table('st', schedule => '2h')");
    Future<String> refresh = refreshInBackground();
    awaitLockWaits(1);
    Connection held = altering;
    ExecutorService alters = Executors.newSingleThreadExecutor();
    try {
      for (String schedule : new String[] {"3h", "4h"}) {
        Connection next = db.connectWithoutScheduler();
        next.setAutoCommit(false);
        Future<?> alter = alters.submit(() -> {
          try (Statement n = next.createStatement()) {
            n.execute("SELECT pgtrickle.alter_stream_table('st', schedule => '" + schedule
                + "')");
          }
          return null;
        });
        awaitLockWaits(2);
        held.commit();
        alter.get(60, TimeUnit.SECONDS);
        awaitLockWaits(1);
        if (held != altering) {
          held.close();
        }
        held = next;
      }
      held.commit();
    } finally {
      alters.shutdownNow();
      if (held != altering) {
        held.close();
      }
    }
    assertThatThrownBy(() -> refresh.get(60, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(SQLException.class)
        .hasMessageContainingAll("stream table public.st was changed by another transaction",
            "3 times in a row; retry the refresh")
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("40001");
    assertThat(text("SELECT schedule FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'st'"))
        .isEqualTo("4h");
    r.execute("SELECT pgtrickle.refresh_stream_table('st')");
    assertThat(difference(r, "st", QUERY)).isZero();
  }

  /** Refreshes {@code st} on the other connection; the result is the refresh's action. */
  private Future<String> refreshInBackground() {
    return pool.submit(() -> {
      r.execute("SELECT pgtrickle.refresh_stream_table('st')");
      return lastAction(r, "st");
    });
  }

  /** Waits until exactly {@code n} sessions wait for a lock (the refresh and the alters). */
  private static void awaitLockWaits(int n) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    try (Connection watcher = db.connectPlain();
        Statement w = watcher.createStatement()) {
      while (value(w, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
          + " AND datname = current_database()") != n) {
        assertThat(System.nanoTime()).as(n + " session(s) waiting for a lock")
            .isLessThan(deadline);
        Thread.sleep(10);
      }
    }
  }

  private String text(String query) throws SQLException {
    try (ResultSet rs = a.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
