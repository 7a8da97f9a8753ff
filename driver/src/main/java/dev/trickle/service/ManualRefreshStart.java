package dev.trickle.service;

import dev.trickle.catalog.CatalogInstaller;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.refresh.RefreshTarget;
import dev.trickle.refresh.StatementBatch;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The reads a manual refresh in autocommit starts from, in one round trip instead of five: the
 * catalog version, the stream table the written name denotes with its storage table, and {@code
 * pg_trickle.max_consecutive_errors} (unless a connection property sets it). A refresh is often
 * cheaper than these round trips, so they matter.
 *
 * <p>The reads assume a current catalog. When it is missing or older, when a read fails for any
 * reason, or when the name denotes no stream table, {@link #read} returns empty and the caller takes
 * the general path, which installs, upgrades or explains. Nothing here writes, so a failed read
 * leaves nothing behind.
 */
final class ManualRefreshStart {
  /**
   * What the reads found.
   *
   * @param target the stream table and its storage
   * @param maxConsecutiveErrors the effective {@code max_consecutive_errors}
   */
  record Found(RefreshTarget target, int maxConsecutiveErrors) {}

  private ManualRefreshStart() {}

  /**
   * Reads in one round trip; empty when the general path must decide. Throws only for an invalid
   * setting (22023).
   *
   * @param c a connection in autocommit
   */
  static Optional<Found> read(Connection c, String writtenName, Properties settings)
      throws SQLException {
    RelationName name = RelationName.parse(writtenName);
    StatementBatch batch = new StatementBatch();
    int[] version = new int[1];
    List<Optional<RefreshTarget>> target = new ArrayList<>(1);
    List<String> serverSetting = new ArrayList<>(1);
    batch.add(CatalogInstaller.VERSION_QUERY, rs -> version[0] = CatalogInstaller.readVersion(rs));
    if (!ServiceSetting.MAX_CONSECUTIVE_ERRORS.isProperty(settings)) {
      batch.add(
          ServiceSetting.MAX_CONSECUTIVE_ERRORS.serverQuery(),
          rs -> serverSetting.add(rs.next() ? rs.getString(1) : null));
    }
    RefreshTarget.load(
        batch, StreamTableCatalog.idByNameSql(name.schema(), name.name()), target::add);
    try {
      batch.run(c);
    } catch (SQLException e) {
      return Optional.empty();
    }
    if (version[0] != CatalogInstaller.CURRENT_VERSION || target.get(0).isEmpty()) {
      return Optional.empty();
    }
    int maxConsecutiveErrors =
        ServiceSetting.MAX_CONSECUTIVE_ERRORS.resolve(
            settings, serverSetting.isEmpty() ? null : serverSetting.get(0));
    return Optional.of(new Found(target.get(0).get(), maxConsecutiveErrors));
  }
}
