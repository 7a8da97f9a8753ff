package dev.trickle.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The database of the pgbench-shaped benchmarks on an embedded server: a database {@code bench}
 * owned by the role {@code bench}, reached plainly as that role, through Trickle as that role (no
 * scheduler), and as the superuser.
 */
final class BenchDatabase {
  private final int port;

  private BenchDatabase(int port) {
    this.port = port;
  }

  /** Creates the role and the database on {@code server}. */
  static BenchDatabase create(EmbeddedPostgres server) throws SQLException {
    try (Connection c = DriverManager.getConnection(EmbeddedServer.url(server));
        Statement st = c.createStatement()) {
      st.execute("CREATE ROLE bench LOGIN");
      st.execute("CREATE DATABASE bench OWNER bench");
    }
    return new BenchDatabase(server.getPort());
  }

  /** The plain PgJDBC URL, as the owner {@code bench}. */
  String plainUrl() {
    return "jdbc:postgresql://localhost:" + port + "/bench?user=bench";
  }

  /** A plain connection as the owner. */
  Connection owner() throws SQLException {
    return DriverManager.getConnection(plainUrl());
  }

  /** A plain connection as the superuser. */
  Connection superuser() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://localhost:" + port + "/bench?user=postgres");
  }

  /** A Trickle connection as the owner, without a scheduler. */
  Connection trickle() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", "bench");
    props.setProperty("trickle.scheduler", "false");
    return DriverManager.getConnection(
        "jdbc:trickle:postgresql://localhost:" + port + "/bench", props);
  }
}
