package dev.trickle.scheduler;

import dev.trickle.catalog.DriverSettings;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The database a scheduler works on and how it connects: a PgJDBC URL and connection properties
 * (credentials included), taken from the connection that started it, plus that connection's
 * {@code trickle.*} settings (which override server settings). The scheduler opens its own
 * plain PgJDBC connections with them, never through the Trickle driver.
 *
 * <p>{@link #key()} names the database as {@code host:port/database}: one scheduler per JVM and
 * key, whichever URL spelling or DataSource reached it.
 */
public final class SchedulerTarget {
  private static final Driver PGJDBC = new org.postgresql.Driver();

  private final String key;
  private final String url;
  private final Properties connectionProperties;
  private final DriverSettings settings;

  private SchedulerTarget(
      String key, String url, Properties connectionProperties, DriverSettings settings) {
    this.key = key;
    this.url = url;
    this.connectionProperties = connectionProperties;
    this.settings = settings;
  }

  /**
   * The target reached by a PgJDBC URL.
   *
   * @param pgjdbcUrl a {@code jdbc:postgresql:} URL
   * @param connectionProperties PgJDBC properties: user, password, SSL settings ... (copied)
   * @param trickleSettings the {@code trickle.*} settings, as the driver read them
   * @throws SQLException 08001 when PgJDBC does not accept the URL
   */
  public static SchedulerTarget of(
      String pgjdbcUrl, Properties connectionProperties, DriverSettings trickleSettings)
      throws SQLException {
    Properties parsed = org.postgresql.Driver.parseURL(pgjdbcUrl, connectionProperties);
    if (parsed == null) {
      throw new SQLException(
          "the scheduler needs a valid jdbc:postgresql: URL, not " + withoutQuery(pgjdbcUrl),
          "08001");
    }
    String key =
        parsed.getProperty("PGHOST", "localhost")
            + ':'
            + parsed.getProperty("PGPORT", "5432")
            + '/'
            + parsed.getProperty("PGDBNAME", "");
    return new SchedulerTarget(key, pgjdbcUrl, copy(connectionProperties), trickleSettings);
  }

  /** {@code host:port/database}. */
  public String key() {
    return key;
  }

  /** The {@code trickle.*} settings of the connection that started the scheduler. */
  DriverSettings settings() {
    return settings;
  }

  /**
   * A new plain PgJDBC connection, named {@code trickle scheduler (purpose)} on the server, with
   * {@code synchronous_commit = off}: what the scheduler commits (refreshes, their history, its
   * heartbeat and jobs) is derived from data that is already durable, so a crash may lose only
   * whole refresh transactions of the last moments, which the next refresh redoes; in exchange a
   * refresh does not wait for its commit to reach the disk.
   */
  Connection open(String purpose) throws SQLException {
    Properties p = copy(connectionProperties);
    p.setProperty("ApplicationName", "trickle scheduler (" + purpose + ")");
    String options = p.getProperty("options", "");
    p.setProperty("options", (options + " -c synchronous_commit=off").strip());
    Connection c = PGJDBC.connect(url, p);
    if (c == null) {
      throw new SQLException("PgJDBC did not accept " + withoutQuery(url), "08001");
    }
    return c;
  }

  /**
   * A plain PgJDBC connection for WAL capture, named {@code trickle scheduler (purpose)}, with
   * {@code synchronous_commit = on}: the slot advances past what it wrote once it committed, so
   * its commits must be durable.
   */
  Connection openDurable(String purpose) throws SQLException {
    Properties p = copy(connectionProperties);
    p.setProperty("ApplicationName", "trickle scheduler (" + purpose + ")");
    String options = p.getProperty("options", "");
    p.setProperty("options", (options + " -c synchronous_commit=on").strip());
    return connect(p);
  }

  /** A replication connection ({@code replication=database}) for WAL capture's slot. */
  Connection openReplication() throws SQLException {
    Properties p = copy(connectionProperties);
    p.setProperty("ApplicationName", "trickle scheduler (wal capture stream)");
    p.setProperty("replication", "database");
    p.setProperty("assumeMinServerVersion", "10");
    p.setProperty("preferQueryMode", "simple");
    return connect(p);
  }

  private Connection connect(Properties p) throws SQLException {
    Connection c = PGJDBC.connect(url, p);
    if (c == null) {
      throw new SQLException("PgJDBC did not accept " + withoutQuery(url), "08001");
    }
    return c;
  }

  @Override
  public String toString() {
    return key;
  }

  private static Properties copy(Properties p) {
    Properties copy = new Properties();
    if (p != null) {
      p.stringPropertyNames().forEach(name -> copy.setProperty(name, p.getProperty(name)));
    }
    return copy;
  }

  private static String withoutQuery(String url) {
    int question = url.indexOf('?');
    return question < 0 ? url : url.substring(0, question) + "?...";
  }
}
