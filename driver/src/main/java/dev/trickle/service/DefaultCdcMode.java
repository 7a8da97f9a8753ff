package dev.trickle.service;

import dev.trickle.catalog.DriverSettings;
import dev.trickle.catalog.SqlState;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

/**
 * The cdc_mode of a stream table created without one: the connection's {@code trickle.cdc_mode},
 * else the server setting {@code pg_trickle.cdc_mode}, else {@code 'trigger'}.
 */
final class DefaultCdcMode {
  private static final List<String> MODES = List.of("trigger", "wal", "auto");

  private DefaultCdcMode() {}

  /** The default; 22023 when the server setting is not one of the modes. */
  static String read(Connection c, DriverSettings settings) throws SQLException {
    if (settings.cdcMode().isPresent()) {
      return settings.cdcMode().get();
    }
    String server;
    try (PreparedStatement ps =
            c.prepareStatement("SELECT current_setting('pg_trickle.cdc_mode', true)");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      server = rs.getString(1);
    }
    if (server == null || server.isBlank()) {
      return "trigger";
    }
    String mode = server.strip().toLowerCase(Locale.ROOT);
    if (!MODES.contains(mode)) {
      throw SqlState.INVALID_PARAMETER.exception(
          "setting pg_trickle.cdc_mode is " + Sql.literal(server) + "; use one of "
              + String.join(", ", MODES));
    }
    return mode;
  }
}
