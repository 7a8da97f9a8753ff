package dev.trickle.spring;

import java.sql.SQLException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.autoconfigure.jdbc.JdbcConnectionDetails;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;

/**
 * Trickle in a Spring Boot application whose {@code spring.datasource.url} is a {@code
 * jdbc:trickle:} URL: the driver class without naming it ({@link TrickleConnectionDetails}), the
 * {@code trickle.*} properties on the pool ({@link TricklePoolProperties}) and the scheduler
 * stopped with the context ({@link SchedulerLifecycle}). The health indicator and metrics come from
 * {@link TrickleActuatorAutoConfiguration}, once the DataSource is configured.
 */
@AutoConfiguration(before = DataSourceAutoConfiguration.class)
@Conditional(TrickleUrlCondition.class)
@EnableConfigurationProperties({TrickleProperties.class, DataSourceProperties.class})
public class TrickleAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(JdbcConnectionDetails.class)
  JdbcConnectionDetails trickleConnectionDetails(DataSourceProperties properties) {
    return new TrickleConnectionDetails(properties);
  }

  @Bean
  static TricklePoolProperties tricklePoolProperties(ObjectProvider<TrickleProperties> properties) {
    return new TricklePoolProperties(properties);
  }

  @Bean
  SchedulerLifecycle trickleSchedulerLifecycle(Environment environment) throws SQLException {
    return new SchedulerLifecycle(environment.getRequiredProperty("spring.datasource.url"));
  }
}
