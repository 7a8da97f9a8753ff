package dev.trickle.service;

import dev.trickle.catalog.DriverSettings;
import dev.trickle.catalog.SqlState;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The settings the lifecycle commands read. Each is taken, in this order, from the connection's
 * {@code trickle.<name>} (read and checked by the driver into {@link DriverSettings}), from the
 * server setting {@code pg_trickle.<name>} (so {@code ALTER DATABASE ... SET pg_trickle.<name>}
 * works), and then its default.
 */
enum ServiceSetting {
  /** Failed refreshes in a row after which a stream table is suspended. */
  MAX_CONSECUTIVE_ERRORS("max_consecutive_errors", 3, 1, DriverSettings::maxConsecutiveErrors),
  /** The shortest schedule accepted, in seconds. */
  MIN_SCHEDULE_SECONDS("min_schedule_seconds", 1, 0, DriverSettings::minScheduleSeconds);

  private final String name;
  private final int defaultValue;
  private final int minimum;
  private final Function<DriverSettings, OptionalInt> given;

  ServiceSetting(
      String name, int defaultValue, int minimum, Function<DriverSettings, OptionalInt> given) {
    this.name = name;
    this.defaultValue = defaultValue;
    this.minimum = minimum;
    this.given = given;
  }

  /**
   * The effective value; 22023 when the server setting is not an integer of at least the minimum.
   */
  int read(Connection c, DriverSettings settings) throws SQLException {
    if (isGiven(settings)) {
      return resolve(settings, null);
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT current_setting(?, true)")) {
      ps.setString(1, serverName());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return resolve(settings, rs.getString(1));
      }
    }
  }

  /** Whether the connection's settings give it, so the server setting need not be read. */
  boolean isGiven(DriverSettings settings) {
    return given.apply(settings).isPresent();
  }

  /** The SQL expression whose value is the server setting's text (NULL when it is unset). */
  String serverValue() {
    return "current_setting(" + Sql.literal(serverName()) + ", true)";
  }

  /**
   * The effective value given the server setting's value ({@link #serverValue}; null when unset or
   * not read); 22023 when the server setting is not an integer of at least the minimum.
   */
  int resolve(DriverSettings settings, String serverValue) throws SQLException {
    OptionalInt fromConnection = given.apply(settings);
    if (fromConnection.isPresent()) {
      return fromConnection.getAsInt();
    }
    if (serverValue == null || serverValue.isBlank()) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(serverValue.strip());
      if (parsed >= minimum) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw SqlState.INVALID_PARAMETER.exception(
        "setting "
            + serverName()
            + " is "
            + serverValue
            + "; it must be an integer of at least "
            + minimum);
  }

  private String serverName() {
    return "pg_trickle." + name;
  }
}
