package dev.trickle.examples.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The README's "Using the driver" snippets as code: a connection from {@link DriverManager} that
 * creates the stream table {@code sales_by_region}, and a HikariCP pool on the same URL.
 */
public final class SalesByRegion {
  private SalesByRegion() {}

  /** Connects with {@link DriverManager}, as the README does. */
  public static Connection connect(String url, String user, String password) throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  /** Creates the README's stream table over {@code orders(region, amount)}. */
  public static void createStreamTable(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("""
          CREATE STREAM TABLE sales_by_region WITH (schedule = '30s') AS
          SELECT region, count(*) AS orders, sum(amount) AS revenue FROM orders GROUP BY region""");
    }
  }

  /** The README's HikariCP pool on a {@code jdbc:trickle:} URL. */
  public static HikariDataSource pool(String url, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    return new HikariDataSource(config);
  }
}
