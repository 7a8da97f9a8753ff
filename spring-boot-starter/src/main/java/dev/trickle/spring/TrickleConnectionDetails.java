package dev.trickle.spring;

import dev.trickle.jdbc.TrickleDriver;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.autoconfigure.jdbc.JdbcConnectionDetails;

/**
 * The application's {@code spring.datasource.*} connection with the Trickle driver class: Spring
 * Boot derives the driver class from the URL and knows none for {@code jdbc:trickle:}, so without
 * this (or {@code spring.datasource.driver-class-name}) it would refuse to build the pool.
 */
final class TrickleConnectionDetails implements JdbcConnectionDetails {
  private final DataSourceProperties properties;

  TrickleConnectionDetails(DataSourceProperties properties) {
    this.properties = properties;
  }

  @Override
  public String getUsername() {
    return properties.determineUsername();
  }

  @Override
  public String getPassword() {
    return properties.determinePassword();
  }

  @Override
  public String getJdbcUrl() {
    return properties.getUrl();
  }

  @Override
  public String getDriverClassName() {
    String named = properties.getDriverClassName();
    return named != null ? named : TrickleDriver.class.getName();
  }
}
