package dev.trickle.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} for {@code jdbc:trickle:postgresql:} URLs, configured through bean
 * properties so pools can create it by class name (HikariCP: {@code
 * dataSourceClassName=dev.trickle.jdbc.TrickleDataSource}, {@code dataSource.url=...}). Trickle
 * properties go in the URL's query string ({@code ?trickle.scheduler=false}) or in {@link
 * #setProperties}. Every connection comes from the registered {@link TrickleDriver}.
 */
public final class TrickleDataSource implements DataSource {
  private String url;
  private String user;
  private String password;
  private Properties properties = new Properties();
  private int loginTimeoutSeconds;
  private PrintWriter logWriter;

  /** The {@code jdbc:trickle:postgresql:} URL connections are opened with. */
  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  /** The user for {@link #getConnection()}; may also be given in the URL or the properties. */
  public String getUser() {
    return user;
  }

  public void setUser(String user) {
    this.user = user;
  }

  /** The password for {@link #getConnection()}. */
  public String getPassword() {
    return password;
  }

  public void setPassword(String password) {
    this.password = password;
  }

  /** A copy of the extra connection properties (PgJDBC's and {@code trickle.*}). */
  public Properties getProperties() {
    Properties copy = new Properties();
    copy.putAll(properties);
    return copy;
  }

  /** Replaces the extra connection properties with a copy of {@code properties}. */
  public void setProperties(Properties properties) {
    Properties copy = new Properties();
    copy.putAll(properties);
    this.properties = copy;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return getConnection(user, password);
  }

  /**
   * Opens a connection as {@code username}.
   *
   * @throws SQLException 08001 when no {@code jdbc:trickle:} URL is set
   */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    Properties info = getProperties();
    if (username != null) {
      info.setProperty("user", username);
    }
    if (password != null) {
      info.setProperty("password", password);
    }
    if (loginTimeoutSeconds > 0 && !info.containsKey("loginTimeout")) {
      info.setProperty("loginTimeout", Integer.toString(loginTimeoutSeconds));
    }
    Connection connection = TrickleDriver.instance().connect(url, info);
    if (connection == null) {
      throw new SQLException(
          "TrickleDataSource needs a URL starting with jdbc:trickle:postgresql:, set with setUrl;"
              + " it has "
              + (url == null ? "none" : "one for another driver"),
          "08001");
    }
    return connection;
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    this.logWriter = out;
  }

  /** Passed to PgJDBC as its {@code loginTimeout} property unless that is set explicitly. */
  @Override
  public void setLoginTimeout(int seconds) {
    this.loginTimeoutSeconds = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeoutSeconds;
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getLogger("dev.trickle");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("TrickleDataSource does not wrap a " + iface.getName(), "22023");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
