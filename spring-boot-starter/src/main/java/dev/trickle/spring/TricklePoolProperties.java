package dev.trickle.spring;

import com.zaxxer.hikari.HikariDataSource;
import java.util.Properties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Hands the {@code trickle.*} application properties ({@link TrickleProperties}) to the driver as
 * connection properties of a HikariCP pool on a {@code jdbc:trickle:} URL, before the pool opens
 * its first connection. Other pools and URLs are left alone.
 */
final class TricklePoolProperties implements BeanPostProcessor {
  private final ObjectProvider<TrickleProperties> properties;

  TricklePoolProperties(ObjectProvider<TrickleProperties> properties) {
    this.properties = properties;
  }

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName) {
    if (bean instanceof HikariDataSource pool
        && pool.getJdbcUrl() != null
        && pool.getJdbcUrl().startsWith(TrickleUrlCondition.PREFIX)) {
      Properties connection = properties.getObject().toConnectionProperties();
      connection.stringPropertyNames()
          .forEach(name -> pool.addDataSourceProperty(name, connection.getProperty(name)));
    }
    return bean;
  }
}
