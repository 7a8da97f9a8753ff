package dev.trickle.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.trickle.jdbc.TrickleDriver;
import dev.trickle.metrics.TrickleMetrics;
import dev.trickle.scheduler.RefreshScheduler;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The auto-configuration in an application context on a real database: the pool on a {@code
 * jdbc:trickle:} URL without a driver class, {@code trickle.*} properties reaching the driver, the
 * health indicator after real refreshes (UP, OUT_OF_SERVICE when suspended, DOWN in ERROR), the
 * metrics in the application's registry, and the scheduler stopping with the context.
 */
class TrickleAutoConfigurationTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DataSourceAutoConfiguration.class,
                TrickleAutoConfiguration.class,
                TrickleActuatorAutoConfiguration.class,
                MetricsAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class))
        .withPropertyValues(
            "spring.datasource.url=" + db.trickleUrl(),
            "spring.datasource.username=" + PostgresFixture.APP_ROLE,
            "spring.datasource.password=" + PostgresFixture.APP_PASSWORD);
  }

  @Test
  void trickleUrlAloneMakesThePoolAndTricklePropertiesReachTheDriver() {
    runner()
        .withPropertyValues(
            "trickle.scheduler.enabled=false",
            "trickle.scheduler.interval=250ms",
            "trickle.scheduler.parallel=true",
            "trickle.scheduler.max-workers=2",
            "trickle.scheduler.max-consecutive-errors=2",
            "trickle.min-schedule=2s")
        .run(
            context -> {
              HikariDataSource pool = context.getBean(HikariDataSource.class);
              assertThat(pool.getDriverClassName()).isEqualTo(TrickleDriver.class.getName());
              assertThat(Map.copyOf(pool.getDataSourceProperties()))
                  .containsEntry("trickle.scheduler", "false")
                  .containsEntry("trickle.scheduler_interval_ms", "250")
                  .containsEntry("trickle.parallel_refresh_mode", "on")
                  .containsEntry("trickle.max_dynamic_refresh_workers", "2")
                  .containsEntry("trickle.max_consecutive_errors", "2")
                  .containsEntry("trickle.min_schedule_seconds", "2");
              try (Connection c = pool.getConnection();
                  Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
                s.execute("CREATE TABLE IF NOT EXISTS too_fast (id int)");
                assertThatThrownBy(
                        () ->
                            s.execute(
                                "CREATE STREAM TABLE too_fast_copy WITH (schedule = '1s') AS"
                                    + " SELECT id FROM too_fast"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("2");
              }
              assertThat(context.getBean(SchedulerLifecycle.class).scheduler())
                  .as("trickle.scheduler.enabled=false starts no scheduler")
                  .isEmpty();
            });
  }

  @Test
  void otherUrlsAreLeftAlone() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DataSourceAutoConfiguration.class,
                TrickleAutoConfiguration.class,
                TrickleActuatorAutoConfiguration.class))
        .withPropertyValues("spring.datasource.url=" + db.plainUrl())
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(SchedulerLifecycle.class);
              assertThat(context).doesNotHaveBean(TrickleMetrics.class);
              assertThat(context).doesNotHaveBean("trickleHealthIndicator");
            });
  }

  @Test
  void healthFollowsTheStreamTablesAndMetricsReachTheApplicationRegistry() {
    runner()
        .withPropertyValues(
            "trickle.scheduler.enabled=false",
            "trickle.scheduler.max-consecutive-errors=2",
            "trickle.metrics.interval=100ms")
        .run(
            context -> {
              DataSource ds = context.getBean(DataSource.class);
              HealthIndicator health = context.getBean("trickleHealthIndicator", HealthIndicator.class);
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              try (Connection c = ds.getConnection();
                  Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
                s.execute("CREATE TABLE src (id int PRIMARY KEY, v int)");
                s.execute("INSERT INTO src VALUES (1, 10), (2, 20)");
                s.execute("CREATE STREAM TABLE ratio AS SELECT id, 100 / v AS r FROM src");
                s.execute("INSERT INTO src VALUES (3, 30)");
                s.execute("SELECT pgtrickle.refresh_stream_table('ratio')");

                Health up = health.health();
                assertThat(up.getStatus()).isEqualTo(Status.UP);
                assertThat(up.getDetails().get("streamTables"))
                    .isEqualTo(Map.of("public.ratio", "ACTIVE"));
                assertThat(up.getDetails().get("checks").toString())
                    .contains("tables_in_error=OK: no stream table is in ERROR");
                await(
                    "the refresh reaches the application's registry",
                    () -> {
                      Timer t =
                          registry.find(TrickleMetrics.REFRESH_DURATION)
                              .tags("stream_table", "public.ratio", "action", "DIFFERENTIAL")
                              .timer();
                      return t != null && t.count() == 1;
                    });
                assertThat(
                        registry.get(TrickleMetrics.REFRESH_ROWS)
                            .tags(
                                "stream_table", "public.ratio", "action", "DIFFERENTIAL",
                                "kind", "inserted")
                            .counter()
                            .count())
                    .isEqualTo(1.0);

                s.execute("UPDATE src SET v = 0 WHERE id = 1");
                for (int i = 0; i < 2; i++) {
                  assertThatThrownBy(() -> s.execute("SELECT pgtrickle.refresh_stream_table('ratio')"))
                      .isInstanceOf(SQLException.class);
                }
                Health suspended = health.health();
                assertThat(suspended.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
                assertThat(suspended.getDetails().get("checks").toString())
                    .contains("tables_suspended=WARN: 1 suspended");
                await(
                    "the suspension is counted",
                    () ->
                        registry.get(TrickleMetrics.SUSPENSIONS)
                                .tag("stream_table", "public.ratio")
                                .counter()
                                .count()
                            == 1.0);

                s.execute("CREATE TABLE doomed (id int)");
                s.execute("CREATE STREAM TABLE doomed_copy AS SELECT id FROM doomed");
                s.execute("DROP TABLE doomed");
                assertThatThrownBy(
                        () -> s.execute("SELECT pgtrickle.refresh_stream_table('doomed_copy')"))
                    .isInstanceOf(SQLException.class);
                Health down = health.health();
                assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                assertThat(down.getDetails().get("streamTables"))
                    .as(down.getDetails().toString())
                    .isEqualTo(Map.of("public.doomed_copy", "ERROR", "public.ratio", "SUSPENDED"));
                assertThat(down.getDetails().get("checks").toString())
                    .contains("tables_in_error=ERROR: 1 in ERROR: public.doomed_copy")
                    .contains("capture_triggers=ERROR: missing or disabled: ");
              }
            });
  }

  @Test
  void theSchedulerStopsWithTheContext() {
    RefreshScheduler[] started = new RefreshScheduler[1];
    runner()
        .withPropertyValues("trickle.scheduler.interval=200ms")
        .run(
            context -> {
              try (Connection c = context.getBean(DataSource.class).getConnection();
                  Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
              }
              SchedulerLifecycle lifecycle = context.getBean(SchedulerLifecycle.class);
              try (Connection c = context.getBean(DataSource.class).getConnection()) {
                await("the scheduler runs", () -> lifecycle.scheduler().isPresent());
              }
              started[0] = lifecycle.scheduler().orElseThrow();
              await("the scheduler leads", started[0]::isLeader);
            });
    assertThat(started[0].isRunning()).as("stopped with the context").isFalse();
    assertThat(started[0].isLeader()).isFalse();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }
}
