package dev.trickle.service;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Dropping a stream table drops the work tables its refreshes and IMMEDIATE triggers made in the
 * dropping session, so a long-lived connection that creates and drops stream tables does not
 * accumulate them; the delta tables of its sources, which other stream tables share, stay, and
 * those stream tables keep working.
 */
class WorkTablesDroppedWithStreamTableTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String GROUPS = "SELECT k, count(*) AS n, sum(v) AS total FROM src GROUP BY k";

  @Test
  void aDroppedStreamTablesWorkTablesGoWithIt() throws SQLException {
    try (Connection c = db.connectWithoutScheduler(); Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE src (id int PRIMARY KEY, k int, v int)");
      s.execute("INSERT INTO src SELECT g, g % 7, g FROM generate_series(1, 200) g");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'kept', query => $$" + GROUPS
          + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'gone', query => $$" + GROUPS
          + " HAVING count(*) > 1$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'gone_now', query => $$" + GROUPS
          + "$$, refresh_mode => 'IMMEDIATE')");
      long gone = value(s, "SELECT pgt_id FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'gone'");
      long goneNow =
          value(s, "SELECT pgt_id FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'gone_now'");
      s.execute("UPDATE src SET v = v + 1 WHERE id % 3 = 0");
      s.execute("SELECT pgtrickle.refresh_stream_table('kept')");
      s.execute("SELECT pgtrickle.refresh_stream_table('gone')");
      assertThat(workTables(s, gone)).as("the refresh's work tables").isPositive();
      assertThat(workTables(s, goneNow)).as("the IMMEDIATE triggers' work tables").isPositive();
      long deltas = value(s, "SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema()"
          + " AND relname LIKE '\\_\\_pgt\\_delta\\_%'");

      s.execute("SELECT pgtrickle.drop_stream_table('gone')");
      s.execute("DROP STREAM TABLE gone_now");
      assertThat(workTables(s, gone)).isZero();
      assertThat(workTables(s, goneNow)).isZero();
      assertThat(value(s, "SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema()"
          + " AND relname LIKE '\\_\\_pgt\\_delta\\_%'")).as("the sources' delta tables stay")
          .isEqualTo(deltas);
      s.execute("UPDATE src SET v = v + 1 WHERE id % 5 = 0");
      s.execute("SELECT pgtrickle.refresh_stream_table('kept')");
      assertThat(difference(s, "kept", GROUPS)).isZero();
    }
  }

  /** The session's work tables tagged with the stream table's id. */
  private static long workTables(Statement s, long pgtId) throws SQLException {
    return value(s, "SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema()"
        + " AND relkind = 'r' AND (relname LIKE '\\_\\_pgt\\_%\\_" + pgtId + "'"
        + " OR relname LIKE '\\_\\_pgt\\_%\\_" + pgtId + "\\_%')");
  }
}
