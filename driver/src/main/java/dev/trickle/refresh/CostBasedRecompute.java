package dev.trickle.refresh;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The setting {@code pg_trickle.cost_based_recompute}: whether a DIFFERENTIAL refresh may recompute
 * because recomputing is cheaper (most of a source changed, the static estimate, the learned
 * costs). On by default; off, such a refresh applies its deltas, whatever they cost, and
 * recomputes only when it must (not populated, a truncated source, no frontier). For an
 * application that wants every refresh of a DIFFERENTIAL stream table to be differential, and for
 * tests of the differential rules on data small enough that recomputing is always cheaper.
 *
 * <p>Read from the refreshing session ({@code ALTER DATABASE} / {@code ALTER ROLE ... SET}, or
 * {@code SET} in the session of a manual refresh), and only when a refresh would recompute for
 * that reason: one query on that path, none on the others.
 */
final class CostBasedRecompute {
  /** The server setting. */
  static final String SETTING = "pg_trickle.cost_based_recompute";

  private static final Logger LOG = LoggerFactory.getLogger(CostBasedRecompute.class);

  private CostBasedRecompute() {}

  /** Whether {@code c}'s session allows it; a value that is not a boolean counts as on. */
  static boolean enabled(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT current_setting(?, true)")) {
      ps.setString(1, SETTING);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return parse(rs.getString(1));
      }
    }
  }

  /** PostgreSQL's boolean spellings; null (unset) and anything else are on. */
  static boolean parse(String value) {
    if (value == null || value.isBlank()) {
      return true;
    }
    switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "off", "false", "no", "0", "f", "n" -> {
        return false;
      }
      case "on", "true", "yes", "1", "t", "y" -> {
        return true;
      }
      default -> {
        LOG.atWarn().log(() -> SETTING + " = '" + value + "' is not a boolean; taken as on");
        return true;
      }
    }
  }
}
