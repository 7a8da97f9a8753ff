package dev.trickle.service;

import dev.trickle.catalog.CatalogInstaller;
import dev.trickle.catalog.DriverSettings;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.refresh.RefreshTarget;
import dev.trickle.refresh.StatementBatch;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
  static Optional<Found> read(Connection c, String writtenName, DriverSettings settings)
      throws SQLException {
    RelationName name = RelationName.parse(writtenName);
    StatementBatch batch = new StatementBatch();
    List<Optional<RefreshTarget>> target = new ArrayList<>(1);
    Reads reads = new Reads(settings);
    reads.addTo(batch);
    RefreshTarget.load(
        batch, StreamTableCatalog.idByNameSql(name.schema(), name.name()), target::add);
    try {
      batch.run(c);
    } catch (SQLException e) {
      return Optional.empty();
    }
    if (!reads.catalogCurrent() || target.get(0).isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Found(target.get(0).get(), reads.maxConsecutiveErrors()));
  }

  /** The catalog version and {@code max_consecutive_errors}, as one query of a batch. */
  private static final class Reads {
    private final DriverSettings settings;
    private int version;
    private String serverSetting;

    Reads(DriverSettings settings) {
      this.settings = settings;
    }

    void addTo(StatementBatch batch) {
      boolean readSetting = !ServiceSetting.MAX_CONSECUTIVE_ERRORS.isGiven(settings);
      batch.add(
          "SELECT (" + CatalogInstaller.VERSION_QUERY + ") AS version, "
              + (readSetting ? ServiceSetting.MAX_CONSECUTIVE_ERRORS.serverValue() : "NULL")
              + " AS max_consecutive_errors",
          rs -> {
            rs.next();
            version = CatalogInstaller.version(rs.getString("version"));
            serverSetting = rs.getString("max_consecutive_errors");
          });
    }

    boolean catalogCurrent() {
      return version == CatalogInstaller.CURRENT_VERSION;
    }

    /** The effective setting; 22023 when it is invalid. */
    int maxConsecutiveErrors() throws SQLException {
      return ServiceSetting.MAX_CONSECUTIVE_ERRORS.resolve(settings, serverSetting);
    }
  }
}
