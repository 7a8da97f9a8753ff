package dev.trickle.jdbc;

import dev.trickle.catalog.DriverSettings;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;

/**
 * The connection properties Trickle reads, all named {@code trickle.*}. They may be given in the
 * {@link java.util.Properties} passed to the driver or in the URL's query string ({@code
 * ?trickle.scheduler=false}); the driver removes them before handing the rest to PgJDBC. Every
 * constant is documented in {@code docs/configuration.md} (a test keeps the two in step).
 */
public enum TrickleProperty {
  /** Whether this connection starts the background refresh scheduler for its database. */
  SCHEDULER(
      "trickle.scheduler",
      "true",
      "Start the background refresh scheduler for this database (one per JVM and database).",
      "true",
      "false"),

  /**
   * How often the scheduler checks for due stream tables without a change notification, in
   * milliseconds (overrides {@code pg_trickle.scheduler_interval_ms}).
   */
  SCHEDULER_INTERVAL_MS(
      "trickle.scheduler_interval_ms",
      "1000",
      "Milliseconds between the scheduler's checks for due stream tables when no change"
          + " notification wakes it; overrides pg_trickle.scheduler_interval_ms.",
      10),

  /** Whether the scheduler refreshes independent stream tables concurrently. */
  PARALLEL_REFRESH_MODE(
      "trickle.parallel_refresh_mode",
      "off",
      "Refresh independent stream tables at the same depth concurrently ('on') or one at a time"
          + " in topological order ('off'); overrides pg_trickle.parallel_refresh_mode.",
      "off",
      "on"),

  /** The most refreshes the scheduler runs at once in parallel mode. */
  MAX_DYNAMIC_REFRESH_WORKERS(
      "trickle.max_dynamic_refresh_workers",
      "4",
      "The most refreshes the scheduler runs at once in parallel mode; overrides"
          + " pg_trickle.max_dynamic_refresh_workers.",
      1),

  /** Failed refreshes in a row after which a stream table is suspended. */
  MAX_CONSECUTIVE_ERRORS(
      "trickle.max_consecutive_errors",
      "3",
      "Failed refreshes in a row after which a stream table is SUSPENDED; overrides"
          + " pg_trickle.max_consecutive_errors.",
      1),

  /** The shortest schedule create and alter accept. */
  MIN_SCHEDULE_SECONDS(
      "trickle.min_schedule_seconds",
      "1",
      "The shortest schedule, in seconds, that create and alter accept; overrides"
          + " pg_trickle.min_schedule_seconds.",
      0),

  /** The cdc_mode of stream tables created without one. */
  CDC_MODE(
      "trickle.cdc_mode",
      "trigger",
      "How stream tables created without a cdc_mode capture the changes of their sources:"
          + " 'trigger', 'wal' (logical decoding, consumed by the scheduler) or 'auto' (triggers"
          + " until logical decoding is available); overrides pg_trickle.cdc_mode.",
      "trigger",
      "wal",
      "auto"),

  /** Whether the delta compiler logs its plan around each pass. */
  DEBUG_PLAN(
      "trickle.debug_plan",
      "false",
      "Dump the plan before and after each compiler pass to the log, for diagnosing the delta"
          + " compiler.",
      "true",
      "false");

  /** The prefix every Trickle property name starts with. */
  public static final String PREFIX = "trickle.";

  private final String name;
  private final String defaultValue;
  private final String description;
  private final String[] choices;
  /** The smallest value of a property that takes an integer; empty for the others. */
  private final OptionalInt minimum;

  /** A property whose value is one of {@code choices}, or any text when there are none. */
  TrickleProperty(String name, String defaultValue, String description, String... choices) {
    this.name = name;
    this.defaultValue = defaultValue;
    this.description = description;
    this.choices = choices;
    this.minimum = OptionalInt.empty();
  }

  /** A property whose value is an integer of at least {@code minimum}. */
  TrickleProperty(String name, String defaultValue, String description, int minimum) {
    this.name = name;
    this.defaultValue = defaultValue;
    this.description = description;
    this.choices = new String[0];
    this.minimum = OptionalInt.of(minimum);
  }

  /** The property's name, as given in {@code Properties} or the URL. */
  public String getName() {
    return name;
  }

  /** The value used when the property is not given. */
  public String getDefaultValue() {
    return defaultValue;
  }

  /** What the property does, for humans. */
  public String getDescription() {
    return description;
  }

  /** The values the property accepts (case-insensitive), or empty when any text is accepted. */
  public String[] getChoices() {
    return choices.clone();
  }

  /** The value given in {@code settings}, or the default. */
  public String get(Properties settings) {
    return settings.getProperty(name, defaultValue);
  }

  /** The value given in {@code settings}, or the default, read as a boolean. */
  public boolean getBoolean(Properties settings) {
    return Boolean.parseBoolean(get(settings));
  }

  /**
   * Reads the settings the packages below the driver take, once: each property given in {@code
   * properties} is checked and converted; a blank value counts as not given.
   *
   * @param properties {@code trickle.*} properties, for example a connection's
   * @throws SQLException 22023 naming a property whose value it does not accept
   */
  public static DriverSettings read(Properties properties) throws SQLException {
    for (TrickleProperty p : values()) {
      String value = properties.getProperty(p.name);
      if (value != null) {
        p.validate(value);
      }
    }
    OptionalInt intervalMs = SCHEDULER_INTERVAL_MS.integer(properties);
    return new DriverSettings(
        intervalMs.isPresent()
            ? Optional.of(Duration.ofMillis(intervalMs.getAsInt()))
            : Optional.empty(),
        PARALLEL_REFRESH_MODE.given(properties).map("on"::equalsIgnoreCase),
        MAX_DYNAMIC_REFRESH_WORKERS.integer(properties),
        MAX_CONSECUTIVE_ERRORS.integer(properties),
        MIN_SCHEDULE_SECONDS.integer(properties),
        DEBUG_PLAN.getBoolean(properties),
        CDC_MODE.given(properties).map(mode -> mode.toLowerCase(Locale.ROOT)));
  }

  /** The property called {@code name}, if Trickle has one. */
  public static Optional<TrickleProperty> forName(String name) {
    return Arrays.stream(values()).filter(p -> p.name.equals(name)).findFirst();
  }

  /** True when {@code key} is in Trickle's namespace (whether or not it is a known property). */
  static boolean isTrickleKey(String key) {
    return key.startsWith(PREFIX);
  }

  /**
   * Checks that {@code value} is acceptable for this property.
   *
   * @throws SQLException 22023 naming the property and the values it accepts
   */
  void validate(String value) throws SQLException {
    if (minimum.isPresent()) {
      validateInteger(value);
    } else if (choices.length > 0
        && Arrays.stream(choices).noneMatch(c -> c.equals(value.toLowerCase(Locale.ROOT)))) {
      throw new SQLException(
          "connection property "
              + name
              + " cannot be '"
              + value
              + "'; use one of "
              + String.join(", ", choices),
          "22023");
    }
  }

  private void validateInteger(String value) throws SQLException {
    if (value.isBlank()) {
      return;
    }
    try {
      if (Integer.parseInt(value.strip()) >= minimum.getAsInt()) {
        return;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new SQLException(
        "connection property "
            + name
            + " cannot be '"
            + value
            + "'; use an integer of at least "
            + minimum.getAsInt(),
        "22023");
  }

  /** The value given in {@code properties}, unless absent or blank. */
  private Optional<String> given(Properties properties) {
    return Optional.ofNullable(properties.getProperty(name))
        .map(String::strip)
        .filter(v -> !v.isEmpty());
  }

  /** The integer given in {@code properties} (checked by {@link #validate}), unless absent. */
  private OptionalInt integer(Properties properties) {
    Optional<String> value = given(properties);
    return value.isPresent() ? OptionalInt.of(Integer.parseInt(value.get())) : OptionalInt.empty();
  }

  /** This property as {@link java.sql.Driver#getPropertyInfo} describes it. */
  DriverPropertyInfo toDriverPropertyInfo(Properties settings) {
    DriverPropertyInfo info = new DriverPropertyInfo(name, get(settings));
    info.description = description;
    info.required = false;
    info.choices = choices.length == 0 ? null : choices.clone();
    return info;
  }
}
