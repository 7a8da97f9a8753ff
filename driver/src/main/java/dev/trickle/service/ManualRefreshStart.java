package dev.trickle.service;

import dev.trickle.catalog.CatalogInstaller;
import dev.trickle.catalog.DriverSettings;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.refresh.ReadDigest;
import dev.trickle.refresh.RefreshTarget;
import dev.trickle.refresh.StartCheck;
import dev.trickle.refresh.StatementBatch;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

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
  static Optional<Found> read(Connection c, String writtenName, DriverSettings settings)
      throws SQLException {
    RelationName name = RelationName.parse(writtenName);
    StatementBatch batch = new StatementBatch();
    List<Optional<RefreshTarget>> target = new ArrayList<>(1);
    Reads reads = new Reads(settings);
    reads.addTo(batch, null, value -> {}, false);
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
  static StartCheck confirming(
      String writtenName, RefreshTarget remembered, DriverSettings settings)
      throws SQLException {
    RelationName name = RelationName.parse(writtenName);
    Reads reads = new Reads(settings);
    long[] denoted = new long[] {-1};
    return new StartCheck() {
      @Override
      public void addTo(StatementBatch batch) {
        reads.addTo(
            batch,
            StreamTableCatalog.idByNameSql(name.schema(), name.name()),
            id -> denoted[0] = id == null ? -1 : Long.parseLong(id),
            true);
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

  /**
   * The catalog version and {@code max_consecutive_errors}, with one more value a caller needs, as
   * one query of a batch: a refresh pays the server's per-statement cost for each query it sends.
   */
  private static final class Reads {
    private final DriverSettings settings;
    private int version;
    private String serverSetting;

    Reads(DriverSettings settings) {
      this.settings = settings;
    }

    /**
     * Adds the query.
     *
     * @param extra a scalar SQL expression read in the same row, or null for none
     * @param extraValue receives its value as text (null for SQL NULL)
     * @param digested digest the row ({@link ReadDigest.Read#START}), for a refresh that confirms
     *     a remembered target in its own transaction
     */
    void addTo(
        StatementBatch batch, String extra, Consumer<String> extraValue, boolean digested) {
      boolean readSetting = !ServiceSetting.MAX_CONSECUTIVE_ERRORS.isGiven(settings);
      StringBuilder sql =
          new StringBuilder("SELECT (").append(CatalogInstaller.VERSION_QUERY).append(")");
      sql.append(", ").append(readSetting ? ServiceSetting.MAX_CONSECUTIVE_ERRORS.serverValue() : "NULL");
      sql.append(", ").append(extra == null ? "NULL" : extra);
      batch.add(
          digested ? ReadDigest.ofRow(ReadDigest.Read.START, sql.toString(), "q") : sql.toString(),
          rs -> {
            rs.next();
            version = CatalogInstaller.version(rs.getString(1));
            serverSetting = rs.getString(2);
            extraValue.accept(rs.getString(3));
          });
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
