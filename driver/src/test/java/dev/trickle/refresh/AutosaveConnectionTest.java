package dev.trickle.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PgJDBC's {@code autosave} option wraps statements of a transaction in savepoints; a refresh must
 * still open its REPEATABLE READ transaction and stay DIFFERENTIAL on such a connection, in
 * autocommit and inside the caller's transaction.
 */
class AutosaveConnectionTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void refreshesOnAConnectionWithAutosaveAlways() throws SQLException {
    Properties props = new Properties();
    props.setProperty("trickle.scheduler", "false");
    props.setProperty("autosave", "always");
    try (Connection c = db.connect(props);
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE t (id int PRIMARY KEY, v int)");
      s.execute("INSERT INTO t SELECT g, g % 7 FROM generate_series(1, 50) g");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'sums', query => $$SELECT v, count(*) AS n"
          + " FROM t GROUP BY v$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      s.execute("UPDATE t SET v = v + 1 WHERE id < 10");
      s.execute("SELECT pgtrickle.refresh_stream_table('sums')");
      assertDifferentialAndEqual(s);
      c.setAutoCommit(false);
      s.execute("DELETE FROM t WHERE id > 40");
      s.execute("SELECT pgtrickle.refresh_stream_table('sums')");
      c.commit();
      c.setAutoCommit(true);
      assertDifferentialAndEqual(s);
    }
  }

  private static void assertDifferentialAndEqual(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM ((TABLE sums) EXCEPT ALL"
        + " (SELECT v, count(*) FROM t GROUP BY v)) a) + (SELECT count(*) FROM ((SELECT v, count(*)"
        + " FROM t GROUP BY v) EXCEPT ALL (TABLE sums)) b)")) {
      rs.next();
      assertThat(rs.getLong(1)).isZero();
    }
    try (ResultSet rs = s.executeQuery("SELECT action FROM pgtrickle.get_refresh_history('sums')"
        + " ORDER BY start_time DESC LIMIT 1")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("DIFFERENTIAL");
    }
  }
}
