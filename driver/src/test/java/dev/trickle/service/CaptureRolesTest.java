package dev.trickle.service;

import static dev.trickle.service.SqlStates.assertFails;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who can write what once capture is installed and the source's schema changed: a writer with
 * grants on the source only, and a superuser, keep writing, and their writes reach the stream
 * table; neither the writer nor a role without rights on the source can put rows into the change
 * buffer themselves.
 */
class CaptureRolesTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private ServiceHarness h;
  private String writer;
  private String outsider;

  @BeforeEach
  void setUp() throws SQLException {
    h = ServiceHarness.installed(db);
    writer = db.name() + "_writer";
    outsider = db.name() + "_outsider";
    try (Connection admin = db.connectAdmin(); Statement st = admin.createStatement()) {
      for (String role : new String[] {writer, outsider}) {
        st.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw'");
        st.execute("GRANT CONNECT ON DATABASE " + db.name() + " TO " + role);
      }
    }
  }

  @AfterEach
  void tearDown() throws SQLException {
    h.reset("src");
    try (Connection admin = db.connectAdmin(); Statement st = admin.createStatement()) {
      for (String role : new String[] {writer, outsider}) {
        st.execute("REVOKE CONNECT ON DATABASE " + db.name() + " FROM " + role);
        st.execute("DROP ROLE " + role);
      }
    }
  }

  private Connection as(String role) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", role);
    p.setProperty("password", "pw");
    return DriverManager.getConnection(db.plainUrl(), p);
  }

  @Test
  void writersKeepWritingAfterASchemaChangeAndNobodyForgesBufferRows() throws SQLException {
    h.sql("CREATE TABLE src (id int PRIMARY KEY, a int, b text)",
        "INSERT INTO src SELECT g, g % 5, 'b' || g FROM generate_series(1, 10) g",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON src TO " + writer);
    h.create("st", "SELECT a, count(*) AS n FROM src GROUP BY a", "refresh_mode", "DIFFERENTIAL");
    String buffer = "pgtrickle_changes.changes_" + h.value("SELECT 'src'::regclass::oid");
    h.sql("ALTER TABLE src DROP COLUMN b", "ALTER TABLE src ADD COLUMN b2 numeric");
    try (Connection w = as(writer); Statement st = w.createStatement()) {
      st.execute("INSERT INTO src VALUES (11, 1, 2.5), (12, NULL, NULL), (13, 1, NULL)");
      st.execute("UPDATE src SET a = 4 WHERE id IN (1, 2)");
      st.execute("DELETE FROM src WHERE id = 3");
      assertFails(() -> st.execute("INSERT INTO " + buffer + " (__pgt_op, __pgt_row)"
          + " VALUES ('I', '{\"id\": 99, \"a\": 1}')"), "42501", "permission denied");
    }
    try (Connection o = as(outsider); Statement st = o.createStatement()) {
      assertFails(() -> st.execute("INSERT INTO src VALUES (20, 1)"), "42501", "permission denied");
      assertFails(() -> st.execute("INSERT INTO " + buffer + " (__pgt_op, __pgt_row)"
          + " VALUES ('I', '{\"id\": 98, \"a\": 1}')"), "42501", "permission denied");
    }
    try (Connection su = db.connectAdmin(); Statement st = su.createStatement()) {
      st.execute("INSERT INTO src VALUES (14, 0, 1)");
    }
    h.refresh("st");
    h.assertMatches("st", "SELECT a, count(*) AS n FROM src GROUP BY a");
  }
}
