package dev.trickle.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FixtureSmokeTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void appRoleOwnsItsDatabaseAndIsNoSuperuser() throws Exception {
    try (Connection c = db.connectPlain();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),"
                    + " has_database_privilege(current_database(), 'CREATE')")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(PostgresFixture.APP_ROLE);
      assertThat(rs.getBoolean(2)).isFalse();
      assertThat(rs.getBoolean(3)).isTrue();
    }
  }

  @Test
  void runsTheRequestedPostgresMajor() throws Exception {
    String expected = System.getProperty("trickle.test.expected.major", "18");
    try (Connection c = db.connectPlain();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
      assertThat(rs.next()).isTrue();
      if (System.getProperty("trickle.test.url", "").isBlank()) {
        assertThat(rs.getString(1)).isEqualTo(expected);
      } else {
        assertThat(rs.getInt(1)).isBetween(15, 18);
      }
    }
  }
}
