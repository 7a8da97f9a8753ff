package dev.trickle.examples.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.examples.ExampleDatabase;
import dev.trickle.metrics.TrickleMetrics;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.actuate.health.SystemHealth;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service on a real database: Flyway created and altered the stream tables, the JPA entity on
 * the IMMEDIATE stream table follows the repository's saves in the same transaction (and a rollback
 * leaves no trace), the scheduler keeps the scheduled one current, and Actuator reports health and
 * metrics of real refreshes.
 */
@SpringBootTest
@AutoConfigureObservability(tracing = false)
@ActiveProfiles("test")
class OrdersApplicationTest {
  private static final TestDatabase db = ExampleDatabase.of("orders");

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", db::trickleUrl);
    registry.add("spring.datasource.username", () -> PostgresFixture.APP_ROLE);
    registry.add("spring.datasource.password", () -> PostgresFixture.APP_PASSWORD);
  }

  @Autowired OrderService service;
  @Autowired JdbcTemplate jdbc;
  @Autowired HealthEndpoint health;
  @Autowired MeterRegistry registry;

  @Test
  void flywayCreatedBothStreamTablesAndAlteredOne() {
    assertThat(jdbc.queryForList("SELECT version FROM flyway_schema_history WHERE success ORDER BY 1", String.class))
        .containsExactly("1", "2");
    assertThat(jdbc.queryForList("SELECT name, refresh_mode FROM pgtrickle.pgt_status() ORDER BY 1"))
        .containsExactly(
            Map.of("name", "public.customer_totals", "refresh_mode", "IMMEDIATE"),
            Map.of("name", "public.daily_revenue", "refresh_mode", "DIFFERENTIAL"));
    assertThat(
            jdbc.queryForList(
                "SELECT column_name FROM information_schema.columns"
                    + " WHERE table_name = 'customer_totals' AND column_name NOT LIKE '\\_\\_%'"
                    + " ORDER BY ordinal_position",
                String.class))
        .containsExactly("customer", "orders", "revenue", "largest");
  }

  @Test
  void totalsFollowTheRepositoryInTheSameTransaction() {
    OrderService.Placed first = service.place("ada", new BigDecimal("10.00"));
    assertTotals(first.totals(), 1, "10.00", "10.00");
    OrderService.Placed second = service.place("ada", new BigDecimal("5.50"));
    assertTotals(second.totals(), 2, "15.50", "10.00");

    assertTotals(service.changeAmount(second.orderId(), new BigDecimal("20.00")), 2, "30.00", "20.00");

    assertThatThrownBy(() -> service.placeAndFail("ada", new BigDecimal("100.00")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("3 orders for ada");
    assertThat(
            jdbc.queryForMap(
                "SELECT orders, revenue, largest FROM customer_totals WHERE customer = 'ada'"))
        .as("the failed order rolled back with its effect on the totals")
        .isEqualTo(
            Map.of("orders", 2L, "revenue", new BigDecimal("30.00"), "largest", new BigDecimal("20.00")));
    assertThat(jdbc.queryForList("TABLE customer_totals EXCEPT SELECT customer, count(*), sum(amount),"
            + " max(amount) FROM orders GROUP BY customer"))
        .isEmpty();
  }

  @Test
  void theSchedulerRefreshesAndActuatorReportsHealthAndMetrics() throws Exception {
    service.place("bob", new BigDecimal("7.00"));
    service.place("cy", new BigDecimal("3.00"));
    String defining =
        "SELECT placed_on, count(*) AS orders, sum(amount) AS revenue FROM orders GROUP BY placed_on";
    await(
        "daily_revenue equals its query",
        () ->
            jdbc.queryForList("SELECT placed_on, orders, revenue FROM daily_revenue EXCEPT " + defining).isEmpty()
                && jdbc.queryForList(defining + " EXCEPT SELECT placed_on, orders, revenue FROM daily_revenue").isEmpty());

    HealthComponent trickle = health.healthForPath("trickle");
    assertThat(trickle.getStatus()).isEqualTo(Status.UP);
    assertThat(((org.springframework.boot.actuate.health.Health) trickle).getDetails().get("streamTables"))
        .isEqualTo(Map.of("public.customer_totals", "ACTIVE", "public.daily_revenue", "ACTIVE"));
    assertThat(((SystemHealth) health.health()).getComponents()).containsKey("trickle");

    await(
        "a scheduled refresh of daily_revenue is in the application's registry",
        () -> {
          Timer t =
              registry.find(TrickleMetrics.REFRESH_DURATION)
                  .tags("stream_table", "public.daily_revenue", "action", "DIFFERENTIAL")
                  .timer();
          return t != null && t.count() >= 1;
        });
    await("this process's scheduler leads",
        () -> registry.get(TrickleMetrics.LEADER).gauge().value() == 1.0);
    assertThat(registry.get(TrickleMetrics.STALENESS).tag("stream_table", "public.daily_revenue").gauge().value())
        .isBetween(0.0, 60.0);
    assertThat(registry.find(TrickleMetrics.BUFFERED_ROWS).tag("source", "public.orders").gauges())
        .isNotEmpty();
    List<String> names =
        registry.getMeters().stream().map(m -> m.getId().getName()).distinct().sorted().toList();
    assertThat(names)
        .contains(
            TrickleMetrics.REFRESH_DURATION,
            TrickleMetrics.REFRESH_ROWS,
            TrickleMetrics.STALENESS,
            TrickleMetrics.BUFFERED_ROWS,
            TrickleMetrics.SUSPENSIONS,
            TrickleMetrics.LEADER);
    String scrape = ((PrometheusMeterRegistry) registry).scrape();
    assertThat(scrape)
        .contains(
            "trickle_refresh_duration_seconds_count{action=\"DIFFERENTIAL\",stream_table=\"public.daily_revenue\"}",
            "trickle_refresh_duration_seconds_sum{",
            "trickle_refresh_rows_total{action=\"DIFFERENTIAL\",kind=\"inserted\",stream_table=\"public.daily_revenue\"}",
            "trickle_stream_table_staleness_seconds{stream_table=\"public.customer_totals\"} 0.0",
            "trickle_refresh_failures_total{stream_table=\"public.daily_revenue\"} 0.0",
            "trickle_change_buffer_rows{source=\"public.orders\"}",
            "trickle_stream_table_suspensions_total{stream_table=\"public.daily_revenue\"} 0.0",
            "trickle_scheduler_leader 1.0");
    Path sample = Path.of("target", "prometheus-sample.txt");
    Files.writeString(sample, scrape.lines().filter(l -> l.contains("trickle_")).collect(Collectors.joining("\n")));
  }

  private static void assertTotals(CustomerTotal t, long orders, String revenue, String largest) {
    assertThat(t.getOrders()).isEqualTo(orders);
    assertThat(t.getRevenue()).isEqualByComparingTo(revenue);
    assertThat(t.getLargest()).isEqualByComparingTo(largest);
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(50);
    }
  }
}
