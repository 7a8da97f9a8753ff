package dev.trickle.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

/**
 * The pgbench-shaped setup the write-cost benchmarks share ({@link CaptureBenchmark}, {@link
 * ImmediateBenchmark}): a fresh embedded server ({@link EmbeddedServer}) with a database {@code
 * bench} owned by the role {@code bench}; pgbench's tables as {@code pgbench -i -s scale} lays them
 * out, with one copy of {@code pgbench_accounts} per contender ({@link #accountsTable}) so the
 * rounds can alternate between the contenders statement by statement; the catalog installed; and
 * three connections: through Trickle as the owner (no scheduler), plainly as the owner and as the
 * superuser. Closing it closes them and stops the server, which removes its data.
 */
final class PgbenchRig implements AutoCloseable {
  private final EmbeddedPostgres server;
  private final String loadBefore;
  private Connection trickle;
  private Connection owner;
  private Connection superuser;
  private MachineInfo machine;

  private PgbenchRig(EmbeddedPostgres server) {
    this.server = server;
    this.loadBefore = CaptureReport.loadAverage();
  }

  /**
   * Starts the server ({@link EmbeddedServer#start(boolean, boolean)}), creates the role, the
   * database and the tables with an accounts table of each name in {@code accountTables}, and
   * installs the catalog.
   */
  static PgbenchRig start(boolean durable, boolean logical, int scale, List<String> accountTables)
      throws IOException, SQLException {
    PgbenchRig rig = new PgbenchRig(EmbeddedServer.start(durable, logical));
    try {
      try (Connection c = DriverManager.getConnection(EmbeddedServer.url(rig.server));
          Statement st = c.createStatement()) {
        st.execute("CREATE ROLE bench LOGIN");
        st.execute("CREATE DATABASE bench OWNER bench");
      }
      rig.trickle = rig.connectTrickle();
      rig.owner = DriverManager.getConnection(rig.plainUrl());
      rig.superuser = DriverManager.getConnection(
          "jdbc:postgresql://localhost:" + rig.port() + "/bench?user=postgres");
      rig.machine = MachineInfo.collect(rig.owner);
      createTables(rig.owner, scale, accountTables);
      try (Statement st = rig.trickle.createStatement()) {
        st.execute("CREATE EXTENSION pg_trickle");
      }
      return rig;
    } catch (SQLException | RuntimeException e) {
      try {
        rig.close();
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /** A contender's copy of {@code pgbench_accounts}: {@code pgbench_accounts_<name>}. */
  static String accountsTable(Enum<?> contender) {
    return "pgbench_accounts_" + contender.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The server's port. */
  int port() {
    return server.getPort();
  }

  /** The plain PgJDBC URL, as the owner {@code bench}. */
  String plainUrl() {
    return "jdbc:postgresql://localhost:" + port() + "/bench?user=bench";
  }

  /** The Trickle connection as the owner, without a scheduler. */
  Connection trickle() {
    return trickle;
  }

  /** The plain connection as the owner. */
  Connection owner() {
    return owner;
  }

  /** The plain connection as the superuser. */
  Connection superuser() {
    return superuser;
  }

  /** The machine and server, as the report lists them. */
  MachineInfo machine() {
    return machine;
  }

  /** The 1-minute load average when the rig started and now. */
  String load() {
    return loadBefore + " before, " + CaptureReport.loadAverage() + " after";
  }

  /** Writes the report to {@code out} (creating its folder) and prints it. */
  static void write(Path out, String report) throws IOException {
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, report);
    System.out.println(report);
  }

  @Override
  public void close() throws IOException {
    for (Connection c : new Connection[] {trickle, owner, superuser}) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException e) {
          System.err.println("closing a benchmark connection: " + e.getMessage());
        }
      }
    }
    server.close();
  }

  private Connection connectTrickle() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", "bench");
    props.setProperty("trickle.scheduler", "false");
    return DriverManager.getConnection(
        "jdbc:trickle:postgresql://localhost:" + port() + "/bench", props);
  }

  /**
   * Creates and fills the pgbench tables with one copy of {@code pgbench_accounts} per name in
   * {@code accountTables}, and vacuums them.
   */
  private static void createTables(Connection c, int scale, List<String> accountTables)
      throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int,"
          + " filler char(88))");
      st.execute("CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int,"
          + " filler char(84))");
      st.execute("CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int,"
          + " mtime timestamp, filler char(22))");
      st.execute("INSERT INTO pgbench_branches SELECT g, 0, '' FROM generate_series(1, "
          + scale + ") g");
      st.execute("INSERT INTO pgbench_tellers SELECT g, (g - 1) / 10 + 1, 0, ''"
          + " FROM generate_series(1, " + 10 * scale + ") g");
      for (String table : accountTables) {
        st.execute("CREATE TABLE " + table + " (aid int PRIMARY KEY, bid int,"
            + " abalance int, filler char(84))");
        st.execute("INSERT INTO " + table + " SELECT g, (g - 1) / "
            + CaptureWorkload.ACCOUNTS_PER_SCALE + " + 1, 0, '' FROM generate_series(1, "
            + (long) CaptureWorkload.ACCOUNTS_PER_SCALE * scale + ") g");
        st.execute("VACUUM ANALYZE " + table);
      }
      st.execute("VACUUM ANALYZE pgbench_branches, pgbench_tellers, pgbench_history");
    }
  }
}
