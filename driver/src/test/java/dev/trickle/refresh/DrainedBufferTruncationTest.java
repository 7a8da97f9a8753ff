package dev.trickle.refresh;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.lastAction;
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
 * The cleanup after a refresh empties a buffer whose rows every consumer has consumed with {@code
 * TRUNCATE} (a new file: {@code pg_relation_filenode} changes), records the rows a FULL consumer
 * had not seen, and falls back to deleting row by row while a transaction that wrote the source is
 * still open (whose rows then reach the stream table once it commits) or while another DIFFERENTIAL
 * consumer still needs rows (which it then consumes). A FULL stream table's refresh leaves the
 * buffer of a source that a DIFFERENTIAL one reads to that one's cleanups (its own frontier makes
 * no row deletable) and empties the buffer of a source that only FULL ones read.
 */
class DrainedBufferTruncationTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String QUERY = "SELECT id, v FROM src WHERE v % 3 <> 0";

  @Test
  void aDrainedBufferIsTruncatedUnlessAWriterIsOpen() throws SQLException {
    try (Connection c = db.connectWithoutScheduler();
        Connection writer = db.connectWithoutScheduler();
        Statement s = c.createStatement();
        Statement w = writer.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE src (id int PRIMARY KEY, v int)");
      s.execute("INSERT INTO src SELECT g, g FROM generate_series(1, 1000) g");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'st', query => $$" + QUERY
          + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'st_full', query => $$" + QUERY
          + "$$, schedule => '1h', refresh_mode => 'FULL')");
      String buffer = "pgtrickle_changes.changes_" + value(s, "SELECT 'src'::regclass::oid");
      String file = "SELECT pg_relation_filenode('" + buffer + "')";

      long before = value(s, file);
      s.execute("UPDATE src SET v = v + 1");
      s.execute("SELECT pgtrickle.refresh_stream_table('st')");
      assertThat(difference(s, "st", QUERY)).isZero();
      assertThat(value(s, file)).as("truncated: a new file").isNotEqualTo(before);
      assertThat(value(s, "SELECT count(*) FROM " + buffer)).isZero();
      assertThat(value(s, "SELECT count(*) FROM pgtrickle.pgt_missed_changes m"
          + " JOIN pgtrickle.pgt_stream_tables t USING (pgt_id) WHERE t.pgt_name = 'st_full'"))
          .as("the FULL consumer had not seen the truncated rows").isEqualTo(1);
      s.execute("SELECT pgtrickle.refresh_stream_table('st_full')");
      assertThat(difference(s, "st_full", QUERY)).isZero();

      writer.setAutoCommit(false);
      w.execute("UPDATE src SET v = v + 5 WHERE id = 1");
      s.execute("UPDATE src SET v = v + 1 WHERE id > 1");
      s.execute("SELECT pgtrickle.refresh_stream_table('st')");
      s.execute("SELECT pgtrickle.refresh_stream_table('st_full')");
      long kept = value(s, file);
      s.execute("UPDATE src SET v = v + 1 WHERE id > 1");
      s.execute("SELECT pgtrickle.refresh_stream_table('st')");
      assertThat(value(s, file)).as("a writer is open: deleted, not truncated").isEqualTo(kept);
      assertThat(value(w, "SELECT count(*) FROM " + buffer))
          .as("only the open writer's rows are left").isEqualTo(2);
      writer.commit();
      s.execute("SELECT pgtrickle.refresh_stream_table('st')");
      assertThat(difference(s, "st", QUERY)).isZero();

      s.execute("SELECT pgtrickle.create_stream_table(name => 'st_lagging', query => $$" + QUERY
          + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      long current = value(s, file);
      s.execute("UPDATE src SET v = v + 1");
      s.execute("SELECT pgtrickle.refresh_stream_table('st')");
      assertThat(value(s, file)).as("a consumer lags: deleted, not truncated").isEqualTo(current);
      assertThat(value(s, "SELECT count(*) FROM " + buffer))
          .as("the lagging consumer's rows are kept").isEqualTo(2000);
      s.execute("SELECT pgtrickle.refresh_stream_table('st_lagging')");
      assertThat(difference(s, "st_lagging", QUERY)).isZero();
    }
  }

  @Test
  void aFullReadersRefreshLeavesTheBufferToTheDifferentialReaders() throws SQLException {
    try (Connection c = db.connectWithoutScheduler(); Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE pairs (id int PRIMARY KEY, v int)");
      s.execute("INSERT INTO pairs SELECT g, g FROM generate_series(1, 100) g");
      String query = "SELECT id, v FROM pairs WHERE v % 3 <> 0";
      s.execute("SELECT pgtrickle.create_stream_table(name => 'pairs_diff', query => $$" + query
          + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'pairs_full', query => $$" + query
          + "$$, schedule => '1h', refresh_mode => 'FULL')");
      String buffer = "pgtrickle_changes.changes_" + value(s, "SELECT 'pairs'::regclass::oid");

      s.execute("UPDATE pairs SET v = v + 1 WHERE id <= 10");
      s.execute("SELECT pgtrickle.refresh_stream_table('pairs_diff')");
      long left = value(s, "SELECT count(*) FROM " + buffer);
      assertThat(left).as("too few consumed rows for the differential refresh's cleanup")
          .isPositive();
      s.execute("SELECT pgtrickle.refresh_stream_table('pairs_full')");
      assertThat(difference(s, "pairs_full", query)).isZero();
      assertThat(value(s, "SELECT count(*) FROM " + buffer))
          .as("the FULL reader's refresh deletes nothing").isEqualTo(left);
      s.execute("SELECT pgtrickle.refresh_stream_table('pairs_full')");
      assertThat(lastAction(s, "pairs_full")).as("the rows left are ones it has seen").isEqualTo("NO_DATA");

      s.execute("SELECT pgtrickle.drop_stream_table('pairs_diff')");
      s.execute("UPDATE pairs SET v = v + 1 WHERE id <= 10");
      s.execute("SELECT pgtrickle.refresh_stream_table('pairs_full')");
      assertThat(difference(s, "pairs_full", query)).isZero();
      assertThat(value(s, "SELECT count(*) FROM " + buffer))
          .as("read by FULL stream tables only: emptied").isZero();
    }
  }
}
