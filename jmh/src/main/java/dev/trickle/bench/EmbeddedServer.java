package dev.trickle.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

/**
 * The embedded PostgreSQL the benchmarks run against: the zonky binaries on the class path, with
 * durability settings off so that disk flushes (which depend on whatever else the machine is doing)
 * do not drown the driver's cost.
 */
final class EmbeddedServer {
  /** The server settings every benchmark server starts with; the report lists them. */
  static final Map<String, String> SETTINGS =
      Map.of("fsync", "off", "synchronous_commit", "off", "full_page_writes", "off");

  /** What logical decoding needs, for benchmarks of WAL capture; the report lists them. */
  static final Map<String, String> LOGICAL =
      Map.of("wal_level", "logical", "max_replication_slots", "4", "max_wal_senders", "4");

  private EmbeddedServer() {}

  /** Starts a fresh server in a temporary directory; closing it stops it and removes the data. */
  static EmbeddedPostgres start() throws IOException {
    return start(false);
  }

  /**
   * Like {@link #start()}; {@code durable} keeps PostgreSQL's own durability settings instead of
   * {@link #SETTINGS}, for measures whose cost is in the commit itself (a commit that waits for
   * its WAL flush, and everything serialized around it).
   */
  static EmbeddedPostgres start(boolean durable) throws IOException {
    return start(durable, false);
  }

  /**
   * Like {@link #start(boolean)}; {@code logical} also sets {@link #LOGICAL}, for WAL capture.
   */
  static EmbeddedPostgres start(boolean durable, boolean logical) throws IOException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    if (!durable) {
      SETTINGS.forEach(builder::setServerConfig);
    }
    if (logical) {
      LOGICAL.forEach(builder::setServerConfig);
    }
    return builder.start();
  }

  /** The plain PgJDBC URL of the server's {@code postgres} database, as superuser. */
  static String url(EmbeddedPostgres server) {
    return "jdbc:postgresql://localhost:" + server.getPort() + "/postgres?user=postgres";
  }

  /** The Trickle URL of the server's {@code postgres} database. */
  static String trickleUrl(EmbeddedPostgres server) {
    return "jdbc:trickle:postgresql://localhost:" + server.getPort() + "/postgres";
  }

  /**
   * Connection properties for {@link #trickleUrl}: the superuser, without a scheduler on the
   * connection (the benchmarks that need one start it themselves).
   */
  static Properties superuserWithoutScheduler() {
    Properties props = new Properties();
    props.setProperty("user", "postgres");
    props.setProperty("trickle.scheduler", "false");
    return props;
  }

  /** The version string of the server the benchmarks run against, e.g. {@code 18.3}. */
  static String version() throws IOException, SQLException {
    try (EmbeddedPostgres server = start();
        Connection c = DriverManager.getConnection(url(server));
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
