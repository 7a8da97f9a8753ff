package dev.trickle.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * A login role of the test cluster allowed to connect to one test database, created once (roles
 * are cluster-wide and outlive the database), with its connections to that database through plain
 * PgJDBC: the writer role of tests where sessions other than the owner's write the sources.
 */
public record LoginRole(TestDatabase db, String name, String password) {
  /** Creates role {@code name} if the cluster lacks it and lets it connect to {@code db}. */
  public static LoginRole ensure(TestDatabase db, String name, String password)
      throws SQLException {
    try (Connection admin = db.connectAdmin();
        Statement a = admin.createStatement()) {
      a.execute("DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + name
          + "') THEN CREATE ROLE " + name + " LOGIN PASSWORD '" + password + "'; END IF; END$$");
      a.execute("GRANT CONNECT ON DATABASE " + db.name() + " TO " + name);
    }
    return new LoginRole(db, name, password);
  }

  /** A new plain PgJDBC connection to the database as this role. */
  public Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", name);
    p.setProperty("password", password);
    return DriverManager.getConnection(db.plainUrl(), p);
  }
}
