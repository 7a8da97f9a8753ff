package dev.trickle.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.value;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A DIFFERENTIAL refresh leaves consumed change-buffer rows in place until the refreshes have
 * consumed {@link CleanupPacing#CLEANUP_ROWS} rows since the last cleanup, and then deletes them:
 * the consumed rows never come back as changes (the stream table equals its query after every
 * refresh), and the buffer stays bounded.
 */
class DeferredBufferCleanupTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String QUERY = "SELECT id, v FROM src WHERE v % 3 <> 0";

  @Test
  void consumedRowsAreDeletedInBatches() throws SQLException {
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE src (id int PRIMARY KEY, v int)");
      s.execute("INSERT INTO src SELECT g, g FROM generate_series(1, 1000) g");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'st', query => $$" + QUERY
          + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      String buffer = "pgtrickle_changes.changes_" + value(s, "SELECT 'src'::regclass::oid");
      Random random = new Random(42);
      long lastBuffered = 0;
      for (int cycle = 0; cycle < 12; cycle++) {
        for (int k = 0; k < 5; k++) {
          s.execute("UPDATE src SET v = " + random.nextInt(100) + " WHERE id = " + (1 + random.nextInt(1000)));
        }
        s.execute("SELECT pgtrickle.refresh_stream_table('st')");
        assertThat(difference(s, "st", QUERY)).as("cycle %d", cycle).isEqualTo(0);
        long buffered = value(s, "SELECT count(*) FROM " + buffer);
        assertThat(buffered).as("consumed rows kept, cycle %d", cycle)
            .isGreaterThan(lastBuffered).isLessThan(CleanupPacing.CLEANUP_ROWS);
        lastBuffered = buffered;
      }
      s.execute("UPDATE src SET v = v + 1 WHERE id <= " + CleanupPacing.CLEANUP_ROWS);
      s.execute("SELECT pgtrickle.refresh_stream_table('st')");
      assertThat(value(s, "SELECT count(*) FROM " + buffer)).as("cleaned up past the bound").isZero();
      assertThat(difference(s, "st", QUERY)).isZero();
    }
  }
}
