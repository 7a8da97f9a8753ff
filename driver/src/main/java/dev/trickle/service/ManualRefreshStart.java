package dev.trickle.service;

import dev.trickle.catalog.CatalogInstaller;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.refresh.RefreshTarget;
import dev.trickle.refresh.StartCheck;
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
 * cheaper than these round trips, so they matter. When an earlier refresh on the connection found
 * the name's target ({@link dev.trickle.refresh.RememberedTargets}), the same reads go into the refresh's own first
 * round trip instead ({@link #confirming}).
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

  /**
   * The check that a target found earlier for {@code writtenName} still holds: the same reads,
   * plus the id the name denotes now, which must be the remembered stream table's.
   */
  static StartCheck confirming(String writtenName, RefreshTarget remembered, Properties settings)
      throws SQLException {
    RelationName name = RelationName.parse(writtenName);
    Reads reads = new Reads(settings);
    long[] denoted = new long[] {-1};
    return new StartCheck() {
      @Override
      public void addTo(StatementBatch batch) {
        reads.addTo(batch);
        batch.add(
            "SELECT " + StreamTableCatalog.idByNameSql(name.schema(), name.name()),
            rs -> {
              rs.next();
              long id = rs.getLong(1);
              denoted[0] = rs.wasNull() ? -1 : id;
            });
      }

      /** Also false for an invalid setting: the general path reports it before refreshing. */
      @Override
      public boolean holds() {
        return reads.catalogCurrent()
            && denoted[0] == remembered.streamTable().pgtId()
            && reads.settingValid();
      }

      @Override
      public int maxConsecutiveErrors() throws SQLException {
        return reads.maxConsecutiveErrors();
      }
    };
  }

  /** The catalog version and {@code max_consecutive_errors}, as queries of a batch. */
  private static final class Reads {
    private final Properties settings;
    private int version;
    private String serverSetting;

    Reads(Properties settings) {
      this.settings = settings;
    }

    void addTo(StatementBatch batch) {
      batch.add(CatalogInstaller.VERSION_QUERY, rs -> version = CatalogInstaller.readVersion(rs));
      if (!ServiceSetting.MAX_CONSECUTIVE_ERRORS.isProperty(settings)) {
        batch.add(
            ServiceSetting.MAX_CONSECUTIVE_ERRORS.serverQuery(),
            rs -> serverSetting = rs.next() ? rs.getString(1) : null);
      }
    }

    boolean catalogCurrent() {
      return version == CatalogInstaller.CURRENT_VERSION;
    }

    boolean settingValid() {
      try {
        maxConsecutiveErrors();
        return true;
      } catch (SQLException invalid) {
        return false;
      }
    }

    /** The effective setting; 22023 when it is invalid. */
    int maxConsecutiveErrors() throws SQLException {
      return ServiceSetting.MAX_CONSECUTIVE_ERRORS.resolve(settings, serverSetting);
    }
  }
}
