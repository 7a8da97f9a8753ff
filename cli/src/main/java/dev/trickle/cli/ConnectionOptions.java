package dev.trickle.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The options every subcommand that talks to a database shares ({@code --url}, {@code --user},
 * {@code --password}, {@code --data-dir}), mixed into it with {@code @Mixin}, and the one place
 * that opens its session: through the Trickle driver to the named server, or to an embedded
 * PostgreSQL started for the session when no URL is given.
 */
final class ConnectionOptions {
  @Option(
      names = "--url",
      paramLabel = "URL",
      description =
          "Server to connect to: jdbc:trickle:postgresql://host:port/db, jdbc:postgresql://... or"
              + " postgresql://user:password@host:port/db. Without it an embedded PostgreSQL is"
              + " started for the session.")
  String url;

  @Option(
      names = "--user",
      paramLabel = "USER",
      description =
          "Role to connect as (overrides the URL's user unless the URL has a user parameter).")
  String user;

  @Option(
      names = "--password",
      paramLabel = "PASSWORD",
      arity = "0..1",
      interactive = true,
      description = "Password of the role; given without a value, it is asked for.")
  String password;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Keep the embedded server's data in DIR (created if missing, reused if it holds a"
              + " cluster).")
  Path dataDirectory;

  /**
   * Opens the session; progress about an embedded server goes to {@code err}. Throws {@link
   * IllegalArgumentException} for an unusable combination of options or URL.
   */
  DatabaseSession open(PrintWriter err) throws SQLException, IOException {
    requireTrickleDriver();
    if (url != null) {
      if (dataDirectory != null) {
        throw new IllegalArgumentException(
            "--data-dir applies to the embedded server only: drop --data-dir or --url");
      }
      ConnectionUrl target = ConnectionUrl.parse(url);
      return new DatabaseSession(
          connect(target.jdbcUrl(), target.properties()),
          null,
          () -> connect(target.jdbcUrl(), withoutScheduler(target.properties())));
    }
    EmbeddedServer server = EmbeddedServer.start(dataDirectory);
    try {
      Properties properties = new Properties();
      properties.setProperty("user", EmbeddedServer.SUPERUSER);
      Connection connection = connect(server.trickleUrl(), properties);
      ProgressLine.Watcher another =
          () -> connect(server.trickleUrl(), withoutScheduler(properties));
      err.printf(
          "embedded PostgreSQL %s on port %d, data in %s%n",
          connection.getMetaData().getDatabaseProductVersion(),
          server.port(),
          server.dataDirectory());
      err.flush();
      return new DatabaseSession(connection, server, another);
    } catch (SQLException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /**
   * The {@code --url} as a Trickle URL with the {@code --user} and {@code --password} properties;
   * {@link IllegalArgumentException} for a URL of another form.
   */
  ConnectionUrl target() {
    ConnectionUrl target = ConnectionUrl.parse(url);
    withCredentials(target.properties());
    return target;
  }

  private Connection connect(String jdbcUrl, Properties properties) throws SQLException {
    withCredentials(properties);
    return DriverManager.getConnection(jdbcUrl, properties);
  }

  private static Properties withoutScheduler(Properties properties) {
    Properties copy = new Properties();
    copy.putAll(properties);
    copy.setProperty("trickle.scheduler", "false");
    return copy;
  }

  private void withCredentials(Properties properties) {
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
  }

  /** Fails fast, before any server is started, when no driver takes {@code jdbc:trickle:} URLs. */
  private static void requireTrickleDriver() throws SQLException {
    if (!dev.trickle.jdbc.TrickleDriver.isRegistered()) {
      dev.trickle.jdbc.TrickleDriver.register();
    }
    try {
      DriverManager.getDriver("jdbc:trickle:postgresql://localhost/postgres");
    } catch (SQLException e) {
      throw new SQLException(
          "no driver accepts jdbc:trickle: URLs: the Trickle driver"
              + " (dev.trickle.jdbc.TrickleDriver) is missing from the class path",
          "08001",
          e);
    }
  }
}
