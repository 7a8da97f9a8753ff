package dev.trickle.spring;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * Actuator health of the stream tables ({@code /actuator/health/trickle}): DOWN when a stream table
 * is in ERROR (its query no longer fits the database; someone must alter or drop it),
 * OUT_OF_SERVICE when one is SUSPENDED (repeated failures; {@code resume_stream_table} after the
 * fix), else UP. The details are each stream table's status and every row of {@code
 * pgtrickle.health_check()} (check name: severity and detail). A database without the catalog is
 * UP with a detail saying so.
 */
final class TrickleHealthIndicator extends AbstractHealthIndicator {
  private static final String INSTALLED = "SELECT to_regclass('pgtrickle.pgt_meta') IS NOT NULL";
  private static final String STATUSES = "SELECT name, status FROM pgtrickle.pgt_status()";
  private static final String CHECKS =
      "SELECT check_name, severity, detail FROM pgtrickle.health_check()";

  private final DataSource dataSource;

  TrickleHealthIndicator(DataSource dataSource) {
    super("Trickle health check failed");
    this.dataSource = dataSource;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      if (!installed(s)) {
        builder.up().withDetail("catalog", "not installed (CREATE EXTENSION pg_trickle)");
        return;
      }
      Map<String, String> statuses = new LinkedHashMap<>();
      try (ResultSet rs = s.executeQuery(STATUSES)) {
        while (rs.next()) {
          statuses.put(rs.getString(1), rs.getString(2));
        }
      }
      builder
          .status(status(statuses))
          .withDetail("streamTables", statuses)
          .withDetail("checks", checks(s));
    }
  }

  /** The rows of health_check(); its failure is a detail, the status comes from the tables. */
  private static Map<String, String> checks(Statement s) {
    Map<String, String> checks = new LinkedHashMap<>();
    try (ResultSet rs = s.executeQuery(CHECKS)) {
      while (rs.next()) {
        checks.put(rs.getString(1), rs.getString(2) + ": " + rs.getString(3));
      }
    } catch (SQLException e) {
      checks.put("health_check", "ERROR: " + e.getMessage());
    }
    return checks;
  }

  private static boolean installed(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery(INSTALLED)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static Status status(Map<String, String> statuses) {
    if (statuses.containsValue("ERROR")) {
      return Status.DOWN;
    }
    return statuses.containsValue("SUSPENDED") ? Status.OUT_OF_SERVICE : Status.UP;
  }
}
