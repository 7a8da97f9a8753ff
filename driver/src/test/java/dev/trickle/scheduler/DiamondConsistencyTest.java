package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static dev.trickle.scheduler.SchedulerHarness.rows;
import static dev.trickle.scheduler.SchedulerHarness.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A diamond a → b, a → c, (b, c) → d with atomic consistency: while a writer keeps inserting into
 * a, a reader never sees d combine b and c from two different states of a, and in the end every
 * stream table equals its query (d consumed what b and c wrote in the same transaction exactly
 * once).
 */
class DiamondConsistencyTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @AfterAll
  static void stopScheduler() throws Exception {
    SchedulerHarness.stop(db);
  }

  @Test
  void theConvergencePointIsNeverSeenHalfRefreshed() throws Exception {
    try (Connection c = db.connect(SchedulerHarness.noScheduler())) {
      execute(
          c,
          "CREATE EXTENSION pg_trickle",
          "CREATE TABLE a (id serial PRIMARY KEY, x int NOT NULL)",
          "SELECT pgtrickle.create_stream_table('b', 'SELECT count(*) AS n FROM a')",
          "SELECT pgtrickle.create_stream_table('c', 'SELECT coalesce(sum(x), 0) AS s FROM a')",
          "SELECT pgtrickle.create_stream_table('d', 'SELECT b.n, c.s FROM b, c', '1s')");
      assertThat(
              rows(c, "SELECT group_id, member_name, is_convergence, schedule_policy"
                  + " FROM pgtrickle.diamond_groups()"))
          .containsExactly(
              List.of("1", "public.b", "f", "fastest"),
              List.of("1", "public.c", "f", "fastest"),
              List.of("1", "public.d", "t", "fastest"));
      SchedulerHarness.start(db);

      AtomicReference<String> violation = new AtomicReference<>();
      AtomicInteger written = new AtomicInteger();
      AtomicInteger checks = new AtomicInteger();
      AtomicInteger refreshesSeen = new AtomicInteger();
      Thread writer =
          new Thread(
              () -> {
                try (Connection w = db.connectPlain(); Statement st = w.createStatement()) {
                  long end = System.nanoTime() + Duration.ofSeconds(4).toNanos();
                  while (System.nanoTime() < end) {
                    st.execute("INSERT INTO a (x) VALUES (1)");
                    written.incrementAndGet();
                  }
                } catch (Exception e) {
                  violation.compareAndSet(null, "writer failed: " + e);
                }
              });
      Thread reader =
          new Thread(
              () -> {
                try (Connection r = db.connectPlain(); Statement st = r.createStatement()) {
                  long last = -1;
                  while (writer.isAlive()) {
                    try (ResultSet rs = st.executeQuery("SELECT n, s FROM d")) {
                      while (rs.next()) {
                        long n = rs.getLong(1);
                        long s = rs.getLong(2);
                        if (n != s) {
                          violation.compareAndSet(null, "d shows n = " + n + ", s = " + s);
                        }
                        if (n != last) {
                          refreshesSeen.incrementAndGet();
                          last = n;
                        }
                      }
                    }
                    checks.incrementAndGet();
                  }
                } catch (Exception e) {
                  violation.compareAndSet(null, "reader failed: " + e);
                }
              });
      writer.start();
      reader.start();
      writer.join();
      reader.join();

      assertThat(violation.get()).isNull();
      assertThat(refreshesSeen.get()).as("refreshes of d the reader saw").isGreaterThan(1);
      String total = Integer.toString(written.get());
      Await.until(
          Duration.ofSeconds(10),
          "d shows every write",
          () -> List.of(List.of(total, total)).equals(rows(c, "SELECT n, s FROM d")));
      for (String name : List.of("b", "c", "d")) {
        assertThat(SchedulerHarness.matchesQuery(c, name)).as(name).isTrue();
      }
      assertThat(
              value(
                  c,
                  "SELECT count(*) FROM pgtrickle.pgt_refresh_history h"
                      + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                      + " WHERE s.pgt_name = 'd' AND h.initiated_by = 'SCHEDULER'"
                      + " AND h.action = 'DIFFERENTIAL'"))
          .as("d was maintained differentially by the scheduler")
          .isNotEqualTo("0");
    }
  }
}
