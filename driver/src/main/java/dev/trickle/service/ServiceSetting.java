package dev.trickle.service;

import dev.trickle.catalog.SqlState;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The settings the lifecycle commands read. Each is looked up, in this order, in the connection's
 * properties ({@code trickle.<name>}), in the server setting {@code pg_trickle.<name>} (so {@code
 * ALTER DATABASE ... SET pg_trickle.<name>} works), and then its default.
 */
enum ServiceSetting {
  /** Failed refreshes in a row after which a stream table is suspended. */
  MAX_CONSECUTIVE_ERRORS("max_consecutive_errors", 3, 1),
  /** The shortest schedule accepted, in seconds. */
  MIN_SCHEDULE_SECONDS("min_schedule_seconds", 1, 0);

  private final String name;
  private final int defaultValue;
  private final int minimum;

  ServiceSetting(String name, int defaultValue, int minimum) {
    this.name = name;
    this.defaultValue = defaultValue;
    this.minimum = minimum;
  }

  /** The effective value; 22023 when a given value is not an integer of at least the minimum. */
  int read(Connection c, Properties properties) throws SQLException {
    if (isProperty(properties)) {
      return resolve(properties, null);
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT current_setting(?, true)")) {
      ps.setString(1, serverName());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return resolve(properties, rs.getString(1));
      }
    }
  }

  /** Whether the connection properties set it, so the server setting need not be read. */
  boolean isProperty(Properties properties) {
    String value = properties.getProperty("trickle." + name);
    return value != null && !value.isBlank();
  }

  /** The SQL expression whose value is the server setting's text (NULL when it is unset). */
  String serverValue() {
    return "current_setting(" + Sql.literal(serverName()) + ", true)";
  }

  /**
   * The effective value given the server setting's value ({@link #serverValue}; null when unset or
   * not read); 22023 when a given value is not an integer of at least the minimum.
   */
  int resolve(Properties properties, String serverValue) throws SQLException {
    String value = properties.getProperty("trickle." + name);
    String source = "connection property trickle." + name;
    if (!isProperty(properties)) {
      value = serverValue;
      source = "setting " + serverName();
    }
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value.strip());
      if (parsed >= minimum) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw SqlState.INVALID_PARAMETER.exception(
        source + " is " + value + "; it must be an integer of at least " + minimum);
  }

  private String serverName() {
    return "pg_trickle." + name;
  }
}
