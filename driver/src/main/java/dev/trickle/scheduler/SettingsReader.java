package dev.trickle.scheduler;

import dev.trickle.catalog.DriverSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the scheduler's settings, each from the first place that has it: the {@code trickle.*}
 * setting of the connection that started the scheduler ({@link DriverSettings}, checked by the
 * driver), the server setting {@code
 * pg_trickle.*}, the default. Read again every pass, so changes apply without a restart: {@code
 * ALTER SYSTEM SET} plus {@code pg_reload_conf()}, and also {@code ALTER DATABASE}/{@code ALTER
 * ROLE ... SET}, which PostgreSQL applies only to new sessions: those are read from {@code
 * pg_db_role_setting} directly. A value that does not parse is reported once and the default used.
 */
final class SettingsReader {
  private static final Logger LOG = LoggerFactory.getLogger(SettingsReader.class);
  private static final String ENABLED = "pg_trickle.enabled";
  private static final String INTERVAL = "pg_trickle.scheduler_interval_ms";
  private static final String PARALLEL = "pg_trickle.parallel_refresh_mode";
  private static final String WORKERS = "pg_trickle.max_dynamic_refresh_workers";
  private static final String ERRORS = "pg_trickle.max_consecutive_errors";
  private static final String RETENTION = "pg_trickle.history_retention_days";
  private static final String QUERY =
      "WITH names (name) AS (SELECT unnest(?::text[])),"
          + " given AS (SELECT lower(split_part(e, '=', 1)) AS name,"
          + " substr(e, strpos(e, '=') + 1) AS value,"
          + " CASE WHEN s.setdatabase <> 0 AND s.setrole <> 0 THEN 1"
          + " WHEN s.setrole <> 0 THEN 2 ELSE 3 END AS rank"
          + " FROM pg_db_role_setting s, unnest(s.setconfig) e"
          + " WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database"
          + " WHERE datname = current_database()))"
          + " AND s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = current_user))"
          + " AND (s.setdatabase <> 0 OR s.setrole <> 0))"
          + " SELECT n.name, coalesce((SELECT g.value FROM given g WHERE g.name = n.name"
          + " ORDER BY g.rank LIMIT 1), current_setting(n.name, true)) AS value FROM names n";

  private final DriverSettings overrides;
  private final Set<String> reported = new HashSet<>();

  /** A reader whose connection's {@code trickle.*} settings are {@code overrides}. */
  SettingsReader(DriverSettings overrides) {
    this.overrides = overrides;
  }

  /** The settings now. */
  SchedulerSettings read(Connection c) throws SQLException {
    Map<String, String> server = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(QUERY)) {
      ps.setArray(
          1,
          c.createArrayOf(
              "text", new String[] {ENABLED, INTERVAL, PARALLEL, WORKERS, ERRORS, RETENTION}));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          server.put(rs.getString("name"), rs.getString("value"));
        }
      }
    }
    SchedulerSettings d = SchedulerSettings.DEFAULTS;
    return new SchedulerSettings(
        bool(ENABLED, server.get(ENABLED), d.enabled()),
        overrides
            .schedulerInterval()
            .orElseGet(
                () ->
                    Duration.ofMillis(
                        integer(INTERVAL, server.get(INTERVAL), d.interval().toMillis(), 10))),
        overrides
            .parallelRefresh()
            .orElseGet(() -> bool(PARALLEL, server.get(PARALLEL), d.parallel())),
        overrides
            .maxDynamicRefreshWorkers()
            .orElseGet(() -> (int) integer(WORKERS, server.get(WORKERS), d.maxWorkers(), 1)),
        overrides
            .maxConsecutiveErrors()
            .orElseGet(
                () -> (int) integer(ERRORS, server.get(ERRORS), d.maxConsecutiveErrors(), 1)),
        (int) integer(RETENTION, server.get(RETENTION), d.historyRetentionDays(), 0));
  }

  private boolean bool(String name, String value, boolean fallback) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "on", "true", "yes", "1":
        return true;
      case "off", "false", "no", "0":
        return false;
      default:
        report(name, value, "on or off");
        return fallback;
    }
  }

  private long integer(String name, String value, long fallback, long minimum) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.strip());
      if (parsed >= minimum && parsed <= Integer.MAX_VALUE) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    report(name, value, "an integer of at least " + minimum);
    return fallback;
  }

  private void report(String name, String value, String expected) {
    if (reported.add(name + '=' + value)) {
      LOG.atWarn().log(
          () -> name + " is '" + value + "'; it must be " + expected + ". Using the default.");
    }
  }
}
