package dev.trickle.refresh;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Weighs a differential refresh's batch against the sizes of its sources: when the changes consumed
 * from a source are at least half of its (estimated) rows, recomputing is cheaper than applying a
 * delta of that size (sources under {@link #MIN_ROWS} rows never trigger it); else the static
 * {@link RecomputeEstimate} is asked ({@link RecomputeCheck}). {@link RefreshDecision} combines
 * what it finds with the learned costs; the choice is recorded in the history with its reason,
 * never made silently.
 */
final class ChangeVolume {
  /** Changed rows as a fraction of a source's rows from which FULL is cheaper. */
  static final double MAX_CHANGE_RATIO = 0.5;

  /** Sources smaller than this stay differential whatever changed. */
  static final long MIN_ROWS = 10_000;

  private ChangeVolume() {}

  /**
   * The consumed {@code changes} weighed against recomputing; {@code estimate}: also ask the
   * static estimate (only while the stream table's own costs are not learned).
   */
  static RefreshDecision.Volume weigh(
      Connection c, List<SourceChanges> changes, StreamTableDefinition definition,
      boolean estimate)
      throws SQLException {
    String mostly = mostlyChanged(c, changes);
    String estimated =
        mostly == null && estimate ? RecomputeCheck.reason(c, changes, definition) : null;
    return new RefreshDecision.Volume(
        Optional.ofNullable(mostly), Optional.ofNullable(estimated));
  }

  /** The reason to refresh FULL, or null to stay differential. */
  private static String mostlyChanged(Connection c, List<SourceChanges> changes) throws SQLException {
    for (SourceChanges change : changes) {
      if (change.rows() < MIN_ROWS * MAX_CHANGE_RATIO) {
        continue;
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT GREATEST(reltuples, 0)::bigint AS estimated, ?::oid::regclass::text AS source"
                  + " FROM pg_class WHERE oid = ?::oid")) {
        ps.setLong(1, change.sourceRelid());
        ps.setLong(2, change.sourceRelid());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            long estimated = rs.getLong("estimated");
            if (estimated >= MIN_ROWS && change.rows() >= estimated * MAX_CHANGE_RATIO) {
              return change.rows() + " changed rows of " + rs.getString("source") + " are at least "
                  + Math.round(MAX_CHANGE_RATIO * 100) + "% of its ~" + estimated
                  + " rows: a full recompute is cheaper";
            }
          }
        }
      }
    }
    return null;
  }
}
