package dev.trickle.cli;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * Test-only stand-in for {@code dev.trickle.jdbc.TrickleDriver} while that driver is not in this
 * branch: accepts {@code jdbc:trickle:postgresql:} URLs and hands them to PgJDBC without the {@code
 * trickle:} part. Registered through this module's test {@code META-INF/services}; delete both when
 * the real driver is merged (it would otherwise compete for the same URLs).
 */
public final class FakeTrickleDriver implements Driver {
  private static final String PREFIX = "jdbc:trickle:postgresql:";

  static {
    try {
      DriverManager.registerDriver(new FakeTrickleDriver());
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Driver pgjdbc = new org.postgresql.Driver();

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    return acceptsURL(url) ? pgjdbc.connect(plain(url), info) : null;
  }

  @Override
  public boolean acceptsURL(String url) {
    return url != null && url.startsWith(PREFIX);
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
    return pgjdbc.getPropertyInfo(plain(url), info);
  }

  @Override
  public int getMajorVersion() {
    return 0;
  }

  @Override
  public int getMinorVersion() {
    return 0;
  }

  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no logger");
  }

  private static String plain(String url) {
    return "jdbc:" + url.substring("jdbc:trickle:".length());
  }
}
