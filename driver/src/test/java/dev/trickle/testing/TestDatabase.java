package dev.trickle.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh database for one test class, created before its tests and dropped after them. Declare
 * it as {@code @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();}.
 */
public final class TestDatabase implements BeforeAllCallback, AfterAllCallback {
  private final boolean costBasedRecompute;
  private String name;

  TestDatabase(boolean costBasedRecompute) {
    this.costBasedRecompute = costBasedRecompute;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    name = PostgresFixture.createDatabase(costBasedRecompute);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (name != null) {
      PostgresFixture.dropDatabase(name);
      name = null;
    }
  }

  /** The database name. */
  public String name() {
    return requireStarted();
  }

  /** {@code jdbc:postgresql://host:port/db} (no credentials). */
  public String plainUrl() {
    return "jdbc:postgresql://" + PostgresFixture.server().hostPort() + "/" + requireStarted();
  }

  /** {@code jdbc:trickle:postgresql://host:port/db} (no credentials). */
  public String trickleUrl() {
    return "jdbc:trickle:" + plainUrl().substring("jdbc:".length());
  }

  /** Credentials of the unprivileged app role. */
  public Properties appCredentials() {
    Properties p = new Properties();
    p.setProperty("user", PostgresFixture.APP_ROLE);
    p.setProperty("password", PostgresFixture.APP_PASSWORD);
    return p;
  }

  /** A connection through the Trickle driver as the app role. */
  public Connection connect() throws SQLException {
    ensureDriver();
    return DriverManager.getConnection(trickleUrl(), appCredentials());
  }

  /** Registers the Trickle driver if nothing loaded it yet (or a test deregistered it). */
  private static void ensureDriver() throws SQLException {
    if (!dev.trickle.jdbc.TrickleDriver.isRegistered()) {
      dev.trickle.jdbc.TrickleDriver.register();
    }
  }

  /** A connection through the Trickle driver with extra connection properties. */
  public Connection connect(Properties extra) throws SQLException {
    Properties p = appCredentials();
    p.putAll(extra);
    ensureDriver();
    return DriverManager.getConnection(trickleUrl(), p);
  }

  /**
   * A connection through the Trickle driver without the background scheduler, so only the test
   * refreshes.
   */
  public Connection connectWithoutScheduler() throws SQLException {
    Properties p = new Properties();
    p.setProperty("trickle.scheduler", "false");
    return connect(p);
  }

  /** A plain PgJDBC connection as the app role: behaves like psql or another service. */
  public Connection connectPlain() throws SQLException {
    return DriverManager.getConnection(plainUrl(), appCredentials());
  }

  /** A plain PgJDBC connection as the server's admin role, for setup only. */
  public Connection connectAdmin() throws SQLException {
    return DriverManager.getConnection(PostgresFixture.server().adminUrl(requireStarted()));
  }

  /**
   * A connection through the Trickle driver as the server's admin role (a superuser), with extra
   * connection properties: a superuser's application or scheduler.
   */
  public Connection connectAdminThroughTrickle(Properties extra) throws SQLException {
    ensureDriver();
    String admin = PostgresFixture.server().adminUrl(requireStarted());
    return DriverManager.getConnection("jdbc:trickle:" + admin.substring("jdbc:".length()), extra);
  }

  private String requireStarted() {
    if (name == null) {
      throw new IllegalStateException("the test database is used outside its test class");
    }
    return name;
  }
}
