package dev.trickle.scheduler;

import dev.trickle.jdbc.TrickleDriver;
import dev.trickle.jdbc.TrickleProperty;
import dev.trickle.testing.LogicalDecodingServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * A database of its own on the {@link LogicalDecodingServer} ({@code wal_level = logical}), owned
 * by a role that is not a superuser but has the REPLICATION attribute, with this JVM's scheduler
 * for it started on demand (its leader consumes WAL capture's slot). {@link #close} stops the
 * scheduler and drops the slot, the database and the role.
 */
final class WalCaptureDatabase implements AutoCloseable {
  static final String PASSWORD = "x";

  private final String role;
  private final String database;
  private final String url;

  WalCaptureDatabase(String suffix) throws SQLException {
    role = "trickle_wal_" + suffix + "_" + ProcessHandle.current().pid();
    database = role;
    try (Connection admin = DriverManager.getConnection(LogicalDecodingServer.adminUrl());
        Statement st = admin.createStatement()) {
      st.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + PASSWORD + "' REPLICATION");
      st.execute("CREATE DATABASE " + database + " OWNER " + role);
    }
    url = LogicalDecodingServer.url(role, PASSWORD).replace("/postgres?", "/" + database + "?");
  }

  /** The owner role's name. */
  String role() {
    return role;
  }

  /** A plain PgJDBC connection as the owner. */
  Connection plain() throws SQLException {
    return DriverManager.getConnection(url);
  }

  /** A Trickle connection as the owner that starts no scheduler. */
  Connection trickle() throws SQLException {
    if (!TrickleDriver.isRegistered()) {
      TrickleDriver.register();
    }
    Properties p = new Properties();
    p.setProperty("trickle.scheduler", "false");
    return DriverManager.getConnection("jdbc:trickle:" + url.substring("jdbc:".length()), p);
  }

  /** A superuser connection to the database. */
  Connection admin() throws SQLException {
    return DriverManager.getConnection(
        LogicalDecodingServer.adminUrl().replace("/postgres?", "/" + database + "?"));
  }

  /** Starts this JVM's scheduler of the database (a pass every 100 ms). */
  RefreshScheduler startScheduler() throws SQLException {
    Properties settings = new Properties();
    settings.setProperty("trickle.scheduler_interval_ms", "100");
    String plainUrl = url.substring(0, url.indexOf('?'));
    Properties credentials = new Properties();
    credentials.setProperty("user", role);
    credentials.setProperty("password", PASSWORD);
    return Schedulers.start(
        SchedulerTarget.of(plainUrl, credentials, TrickleProperty.read(settings)),
        SchedulerHarness.engine());
  }

  /** How the source is captured now, as {@code pgt_cdc_status()} says. */
  static String capture(Connection c, String source) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT capture FROM pgtrickle.pgt_cdc_status() WHERE source_table = '"
                    + source + "'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** Waits until the source is captured {@code how} ({@code trigger} or {@code wal}). */
  void awaitCapture(Connection c, String source, String how) throws Exception {
    Await.until(Duration.ofSeconds(30), source + " captured by " + how,
        () -> how.equals(capture(c, source)));
  }

  /** True while WAL capture's slot of this database exists. */
  boolean slotExists() throws SQLException {
    try (Connection admin = admin();
        Statement st = admin.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT FROM pg_replication_slots WHERE database = current_database()")) {
      return rs.next();
    }
  }

  @Override
  public void close() throws Exception {
    String plainUrl = url.substring(0, url.indexOf('?'));
    Properties credentials = new Properties();
    credentials.setProperty("user", role);
    credentials.setProperty("password", PASSWORD);
    String key = SchedulerTarget.of(plainUrl, credentials, TrickleProperty.read(new Properties()))
        .key();
    Schedulers.running(key).ifPresent(s -> s.stop(Duration.ofSeconds(10)));
    try (Connection admin =
            DriverManager.getConnection(LogicalDecodingServer.adminUrl());
        Statement st = admin.createStatement()) {
      Await.until(Duration.ofSeconds(10), "the slot of " + database + " is dropped", () -> {
        try (ResultSet rs = st.executeQuery(
            "SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots"
                + " WHERE database = '" + database + "' AND NOT active")) {
          rs.next();
        }
        try (ResultSet rs = st.executeQuery(
            "SELECT FROM pg_replication_slots WHERE database = '" + database + "'")) {
          return !rs.next();
        }
      });
      st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      st.execute("DROP ROLE IF EXISTS " + role);
    }
  }
}
