package dev.trickle.cli;

import dev.trickle.scheduler.Schedulers;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The connection a command works on, together with the embedded server it may run on; closing the
 * session closes the connection and then stops that server.
 */
final class DatabaseSession implements AutoCloseable {
  private final Connection connection;
  private final EmbeddedServer server;
  private final ProgressLine.Watcher another;

  /**
   * {@code server} is null when the connection goes to a server the user named; {@code another}
   * opens a further connection to the same database (without a scheduler), for watching.
   */
  DatabaseSession(Connection connection, EmbeddedServer server, ProgressLine.Watcher another) {
    this.connection = connection;
    this.server = server;
    this.another = another;
  }

  Connection connection() {
    return connection;
  }

  /** Opens further connections to the session's database, as the same role. */
  ProgressLine.Watcher another() {
    return another;
  }

  /** Closes the connection; before an embedded server stops, the schedulers using it stop. */
  @Override
  public void close() throws SQLException, IOException {
    try {
      connection.close();
    } finally {
      if (server != null) {
        Schedulers.stopAll();
        server.close();
      }
    }
  }
}
