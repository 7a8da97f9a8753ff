package dev.trickle.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.jdbc.TrickleDataSource;
import dev.trickle.jdbc.TrickleDriver;
import dev.trickle.scheduler.RefreshScheduler;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The metrics read real refreshes from the catalog: a differential refresh's duration and rows,
 * the change-buffer rows before it, staleness after it, failures and the suspension they cause,
 * and the leadership of this process's scheduler.
 */
class TrickleMetricsTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void reportsRefreshesBuffersStalenessFailuresAndSuspensions() throws Exception {
    Properties settings = new Properties();
    settings.setProperty("trickle.scheduler", "false");
    settings.setProperty("trickle.max_consecutive_errors", "2");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Connection c = db.connect(settings);
        Statement s = c.createStatement();
        TrickleMetrics metrics = new TrickleMetrics(dataSource(settings), Duration.ZERO)) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE src (id int PRIMARY KEY, v int)");
      s.execute("INSERT INTO src VALUES (1, 10), (2, 20), (3, NULL)");
      s.execute(
          "CREATE STREAM TABLE ratio WITH (refresh_mode = 'DIFFERENTIAL') AS"
              + " SELECT id, 100 / v AS r FROM src");
      metrics.bindTo(registry);
      metrics.poll();
      assertThat(registry.find(TrickleMetrics.REFRESH_DURATION).timer())
          .as("the population before binding is not counted")
          .isNull();

      s.execute("INSERT INTO src VALUES (4, 40), (5, 50), (6, 50)");
      metrics.poll();
      assertThat(gauge(registry, TrickleMetrics.BUFFERED_ROWS, "source", "public.src"))
          .isEqualTo(3.0);

      s.execute("SELECT pgtrickle.refresh_stream_table('ratio')");
      s.execute("DELETE FROM src WHERE id = 6");
      s.execute("SELECT pgtrickle.refresh_stream_table('ratio')");
      metrics.poll();
      var timer =
          registry.get(TrickleMetrics.REFRESH_DURATION)
              .tags("stream_table", "public.ratio", "action", "DIFFERENTIAL")
              .timer();
      assertThat(timer.count()).isEqualTo(2);
      assertThat(timer.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
      assertThat(rows(registry, "inserted")).isEqualTo(3.0);
      assertThat(rows(registry, "deleted")).isEqualTo(1.0);
      assertThat(gauge(registry, TrickleMetrics.BUFFERED_ROWS, "source", "public.src"))
          .isZero();
      assertThat(gauge(registry, TrickleMetrics.STALENESS, "stream_table", "public.ratio"))
          .isBetween(0.0, 60.0);

      s.execute("UPDATE src SET v = 0 WHERE id = 2");
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> s.execute("SELECT pgtrickle.refresh_stream_table('ratio')"))
            .isInstanceOf(SQLException.class);
        metrics.poll();
      }
      assertThat(
              registry.get(TrickleMetrics.REFRESH_FAILURES)
                  .tag("stream_table", "public.ratio")
                  .counter()
                  .count())
          .isEqualTo(2.0);
      assertThat(
              registry.get(TrickleMetrics.SUSPENSIONS)
                  .tag("stream_table", "public.ratio")
                  .counter()
                  .count())
          .isEqualTo(1.0);
      metrics.poll();
      assertThat(timer.count()).as("nothing counted twice").isEqualTo(2);

      s.execute("DROP STREAM TABLE ratio");
      metrics.poll();
      assertThat(registry.find(TrickleMetrics.STALENESS).gauges()).isEmpty();
    }
  }

  /**
   * The leadership gauge follows this process's scheduler; a stream table it has not populated yet
   * has no staleness, and has one once a refresh populated it.
   */
  @Test
  void leadershipGaugeFollowsThisProcesssScheduler() throws Exception {
    Properties settings = new Properties();
    settings.setProperty("trickle.scheduler", "false");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Connection c = db.connect(settings);
        Statement s = c.createStatement();
        TrickleMetrics metrics = new TrickleMetrics(dataSource(settings), Duration.ZERO)) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE t (id int)");
      s.execute("CREATE STREAM TABLE t_count AS SELECT count(*) AS n FROM t");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'later_count',"
          + " query => 'SELECT count(*) AS n FROM t', initialize => false)");
      metrics.bindTo(registry);
      metrics.poll();
      assertThat(registry.get(TrickleMetrics.LEADER).gauge().value()).isZero();
      assertThat(gauge(registry, TrickleMetrics.STALENESS, "stream_table", "public.later_count"))
          .isNaN();
      s.execute("SELECT pgtrickle.refresh_stream_table('later_count')");
      metrics.poll();
      assertThat(gauge(registry, TrickleMetrics.STALENESS, "stream_table", "public.later_count"))
          .isBetween(0.0, 60.0);

      RefreshScheduler scheduler = TrickleDriver.startScheduler(db.trickleUrl(), db.appCredentials());
      try {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (registry.get(TrickleMetrics.LEADER).gauge().value() == 0
            && System.nanoTime() < deadline) {
          Thread.sleep(100);
          metrics.poll();
        }
        assertThat(registry.get(TrickleMetrics.LEADER).gauge().value()).isEqualTo(1.0);
      } finally {
        assertThat(scheduler.stop(Duration.ofSeconds(10))).isTrue();
      }
      metrics.poll();
      assertThat(registry.get(TrickleMetrics.LEADER).gauge().value()).isZero();
    }
  }

  private static double rows(SimpleMeterRegistry registry, String kind) {
    return registry.get(TrickleMetrics.REFRESH_ROWS)
        .tags("stream_table", "public.ratio", "action", "DIFFERENTIAL", "kind", kind)
        .counter()
        .count();
  }

  private static double gauge(SimpleMeterRegistry registry, String name, String tag, String value) {
    return registry.get(name).tag(tag, value).gauge().value();
  }

  private static TrickleDataSource dataSource(Properties settings) {
    TrickleDataSource ds = new TrickleDataSource();
    ds.setUrl(db.trickleUrl());
    Properties p = db.appCredentials();
    p.putAll(settings);
    ds.setProperties(p);
    return ds;
  }
}
