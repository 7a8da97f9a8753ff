package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Before the first install there is no catalog relation to lock, so first installers serialize on
 * an advisory key, which any role able to connect could hold. The install then fails after a
 * bounded wait (55P03) naming the holder's role, process and application, instead of hanging; once
 * released, it installs.
 */
class CatalogInstallLockTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String INTRUDER = "trickle_squatter_" + ProcessHandle.current().pid();

  @BeforeAll
  static void createIntruder() throws SQLException {
    try (Connection admin = db.connectAdmin();
        Statement s = admin.createStatement()) {
      s.execute("CREATE ROLE " + INTRUDER + " LOGIN PASSWORD 'squatter'");
      s.execute("GRANT CONNECT ON DATABASE " + db.name() + " TO " + INTRUDER);
    }
  }

  @AfterAll
  static void dropIntruder() throws SQLException {
    try (Connection admin = db.connectAdmin();
        Statement s = admin.createStatement()) {
      s.execute("DROP OWNED BY " + INTRUDER);
      s.execute("DROP ROLE " + INTRUDER);
    }
  }

  @Test
  void aFirstInstallBlockedByAnotherSessionNamesItAndInstallsOnceReleased() throws Exception {
    Properties limited = new Properties();
    limited.setProperty("trickle.scheduler", "false");
    limited.setProperty("options", "-c statement_timeout=30000");
    Properties squatter = new Properties();
    squatter.setProperty("user", INTRUDER);
    squatter.setProperty("password", "squatter");
    squatter.setProperty("ApplicationName", "squatter-app");
    try (Connection c = db.connect(limited);
        Connection intruder = DriverManager.getConnection(db.plainUrl(), squatter);
        Statement s = intruder.createStatement()) {
      s.execute("SELECT pg_advisory_lock(1414679363, 0)");
      // One bounded wait (CatalogLock.FIRST_INSTALL_WAIT) whose failure names role and application.
      SqlStates.assertFails(() -> execute(c, "CREATE EXTENSION pg_trickle"), "55P03",
          "role \"" + INTRUDER + "\"", "'squatter-app'");
      s.execute("SELECT pg_advisory_unlock(1414679363, 0)");
      execute(c, "CREATE EXTENSION pg_trickle");
      try (Statement q = c.createStatement();
          ResultSet rs = q.executeQuery("SELECT to_regclass('pgtrickle.pgt_meta') IS NOT NULL")) {
        rs.next();
        assertThat(rs.getBoolean(1)).isTrue();
      }
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
