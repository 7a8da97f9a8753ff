package dev.trickle.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Installs, upgrades and removes the Trickle catalog (schemas {@code pgtrickle} and {@code
 * pgtrickle_changes}) from versioned SQL migrations shipped as resources next to this class
 * ({@code V1__catalog.sql}, {@code V2__monitoring.sql}, ...). The applied version is recorded in
 * {@code pgtrickle.pgt_meta}; a newer driver applies the versions an older one did not know.
 *
 * <p>Everything runs in the caller's transaction, after taking the catalog lock (see {@link
 * CatalogLock}), so concurrent installers serialize and a rollback leaves nothing.
 */
public final class CatalogInstaller {
  /** The migrations, in order; migration {@code i} (0-based) brings the catalog to version i+1. */
  private static final List<String> MIGRATIONS =
      List.of("V1__catalog.sql", "V2__monitoring.sql", "V3__explain.sql", "V4__scheduler.sql",
          "V5__own_changes.sql", "V6__refresh_reads.sql", "V7__buffer_cleanup.sql",
          "V8__buffered_changes.sql", "V9__recursive_closure.sql",
          "V10__cleanup_consumers.sql", "V11__refresh_in_one_round_trip.sql",
          "V12__inventory_of_dropped_sources.sql",
          "V13__capture_whole_rows.sql",
          "V14__security.sql",
          "V15__capture_wakeups.sql",
          "V16__cdc_status.sql",
          "V17__history_reason.sql",
          "V18__loop_limit.sql",
          "V19__refresh_as_owner_executor.sql",
          "V20__wal_capture.sql",
          "V21__drained_buffer_truncation.sql",
          "V22__learned_refresh_costs.sql",
          "V23__immediate_readers_capture.sql",
          "V24__confirm_current_set_based.sql",
          "V25__typed_change_buffers.sql",
          "V26__parallel_recompute.sql",
          "V27__catalog_row_fillfactor.sql",
          "V28__parallel_state_rebuild.sql",
          "V29__cleanup_by_frontier_bounds.sql",
          "V30__cleanup_skips_what_it_cannot_delete.sql",
          "V31__refresh_leaves_other_roles_tables.sql");

  /** The catalog version this driver installs. */
  public static final int CURRENT_VERSION = MIGRATIONS.size();

  /**
   * The query reading the applied version, for a statement batch whose caller knows the catalog
   * exists (it fails with 42P01 when there is none); read its rows with {@link #readVersion}.
   */
  public static final String VERSION_QUERY =
      "SELECT value FROM pgtrickle.pgt_meta WHERE key = 'catalog_version'";

  /** What {@link #install} found and did. */
  public enum Outcome {
    /** There was no catalog; it is installed now. */
    INSTALLED,
    /** An older catalog was brought to {@link #CURRENT_VERSION}. */
    UPGRADED,
    /** The catalog was already current; nothing changed. */
    ALREADY_CURRENT
  }

  private CatalogInstaller() {}

  /** Installs or upgrades the catalog to {@link #CURRENT_VERSION}. */
  public static Outcome install(Connection c) throws SQLException {
    CatalogLock.take(c);
    int installed = installedVersion(c);
    requireNotNewer(installed);
    if (installed == CURRENT_VERSION) {
      return Outcome.ALREADY_CURRENT;
    }
    for (int version = installed + 1; version <= CURRENT_VERSION; version++) {
      apply(c, MIGRATIONS.get(version - 1));
      recordVersion(c, version);
    }
    return installed == 0 ? Outcome.INSTALLED : Outcome.UPGRADED;
  }

  /**
   * Makes sure the catalog is installed and current before a stream-table command: upgrades an
   * older catalog, refuses when there is none (42P01) or when it is newer than this driver (55000).
   */
  public static void requireCurrent(Connection c) throws SQLException {
    int installed = installedVersion(c);
    if (installed == 0) {
      throw SqlState.UNDEFINED_OBJECT.exception(
          "the Trickle catalog is not installed in this database; run CREATE EXTENSION pg_trickle"
              + " first");
    }
    requireNotNewer(installed);
    if (installed < CURRENT_VERSION) {
      install(c);
    }
  }

  /** The applied catalog version, or 0 when there is no catalog. */
  public static int installedVersion(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT to_regclass('pgtrickle.pgt_meta') IS NOT NULL")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        return 0;
      }
    }
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(VERSION_QUERY)) {
      return readVersion(rs);
    }
  }

  /** The version in the rows of {@link #VERSION_QUERY}, 0 when none is recorded. */
  public static int readVersion(ResultSet rs) throws SQLException {
    return rs.next() ? version(rs.getString(1)) : 0;
  }

  /** The version a {@link #VERSION_QUERY} value records, 0 for none (SQL NULL). */
  public static int version(String value) {
    return value == null ? 0 : Integer.parseInt(value);
  }

  /**
   * Drops both schemas and everything in them. The caller has already dropped the stream tables
   * (their storage lives outside these schemas).
   */
  public static void remove(Connection c) throws SQLException {
    CatalogLock.take(c);
    try (Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS pgtrickle_changes CASCADE");
      st.execute("DROP SCHEMA IF EXISTS pgtrickle CASCADE");
    }
  }

  private static void requireNotNewer(int installed) throws SQLException {
    if (installed > CURRENT_VERSION) {
      throw SqlState.OBJECT_STATE.exception(
          "the Trickle catalog in this database has version "
              + installed
              + ", newer than this driver supports ("
              + CURRENT_VERSION
              + "); upgrade the Trickle driver");
    }
  }

  private static void apply(Connection c, String resource) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      st.execute(read(resource));
    }
  }

  private static void recordVersion(Connection c, int version) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO pgtrickle.pgt_meta (key, value) VALUES ('catalog_version', ?)"
                + " ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
      ps.setString(1, Integer.toString(version));
      ps.executeUpdate();
    }
  }

  private static String read(String resource) {
    try (InputStream in = CatalogInstaller.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("catalog migration " + resource + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read catalog migration " + resource, e);
    }
  }
}
