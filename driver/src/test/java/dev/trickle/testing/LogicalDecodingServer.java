package dev.trickle.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A second embedded PostgreSQL, configured for logical decoding ({@code wal_level = logical}, one
 * replication slot, two WAL senders), for the tests of what Trickle does where logical decoding is
 * available; the shared server ({@link PostgresFixture}) keeps PostgreSQL's default {@code
 * wal_level = replica}. Started on first use and stopped at JVM exit.
 */
public final class LogicalDecodingServer {
  /** The server's {@code max_replication_slots}. */
  public static final int REPLICATION_SLOTS = 1;

  private static EmbeddedPostgres server;

  private LogicalDecodingServer() {}

  /** The superuser URL of the server's {@code postgres} database, starting the server if needed. */
  public static synchronized String adminUrl() {
    if (server == null) {
      server = start();
    }
    return "jdbc:postgresql://localhost:" + server.getPort() + "/postgres?user=postgres";
  }

  /** A URL of the server's {@code postgres} database as {@code user} with {@code password}. */
  public static String url(String user, String password) {
    String admin = adminUrl();
    return admin.substring(0, admin.indexOf('?')) + "?user=" + user + "&password=" + password;
  }

  private static EmbeddedPostgres start() {
    try {
      EmbeddedPostgres pg =
          EmbeddedPostgres.builder()
              .setServerConfig("wal_level", "logical")
              .setServerConfig("max_replication_slots", String.valueOf(REPLICATION_SLOTS))
              .setServerConfig("max_wal_senders", "2")
              .setServerConfig("fsync", "off")
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
                  "logical-decoding-server-stop"));
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL for logical decoding", e);
    }
  }
}
