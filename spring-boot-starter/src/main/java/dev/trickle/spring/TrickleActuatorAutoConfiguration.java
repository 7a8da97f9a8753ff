package dev.trickle.spring;

import dev.trickle.metrics.TrickleMetrics;
import javax.sql.DataSource;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * With Actuator, the health indicator {@code trickle} ({@link TrickleHealthIndicator}); with
 * Micrometer, the metrics ({@link TrickleMetrics}), which Spring Boot binds to the application's
 * MeterRegistry like every MeterBinder bean. Both read the application's DataSource, so this runs
 * after it is configured.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class)
@Conditional(TrickleUrlCondition.class)
public class TrickleActuatorAutoConfiguration {

  /** The health indicator, with Actuator. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("trickle")
  static class Health {
    @Bean
    @ConditionalOnBean(DataSource.class)
    @ConditionalOnMissingBean(name = "trickleHealthIndicator")
    HealthIndicator trickleHealthIndicator(DataSource dataSource) {
      return new TrickleHealthIndicator(dataSource);
    }
  }

  /** The metrics, with Micrometer; Spring Boot binds every MeterBinder bean to its registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
  @ConditionalOnProperty(prefix = "trickle.metrics", name = "enabled", matchIfMissing = true)
  static class Metrics {
    @Bean(destroyMethod = "close")
    @ConditionalOnBean(DataSource.class)
    @ConditionalOnMissingBean
    TrickleMetrics trickleMetrics(DataSource dataSource, TrickleProperties properties) {
      return new TrickleMetrics(dataSource, properties.getMetrics().getInterval());
    }
  }
}
