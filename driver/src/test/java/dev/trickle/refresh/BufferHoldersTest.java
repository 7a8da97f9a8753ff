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
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Only DIFFERENTIAL stream tables hold rows in the change buffers. A DIFFERENTIAL stream table's
 * cleanup deletes what it consumed although an IMMEDIATE and a FULL one on the same source have
 * not refreshed since: the IMMEDIATE one stays current by its triggers and refreshes as NO_DATA;
 * for the FULL one the cleanup records the changes it missed, which keeps it pending until its
 * next refresh recomputes it, and only then does it refresh as NO_DATA again.
 */
class BufferHoldersTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final String QUERY = "SELECT id, v FROM src WHERE v % 3 <> 0";

  @Test
  void onlyDifferentialStreamTablesHoldBufferRows() throws SQLException {
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE src (id int PRIMARY KEY, v int)");
      s.execute("INSERT INTO src SELECT g, g FROM generate_series(1, 1000) g");
      for (String mode : new String[] {"DIFFERENTIAL", "IMMEDIATE"}) {
        s.execute("SELECT pgtrickle.create_stream_table(name => '" + mode.toLowerCase() + "_st',"
            + " query => $$" + QUERY + "$$, schedule => '1h', refresh_mode => '" + mode + "')");
      }
      String buffer = "pgtrickle_changes.changes_" + value(s, "SELECT 'src'::regclass::oid");
      Random random = new Random(7);
      for (int cycle = 0; cycle < 3; cycle++) {
        s.execute("UPDATE src SET v = v + " + (1 + random.nextInt(5)) + " WHERE id % 3 = " + cycle);
        s.execute("SELECT pgtrickle.refresh_stream_table('differential_st')");
        assertThat(difference(s, "differential_st", QUERY)).as("cycle %d", cycle).isZero();
        assertThat(lastAction(s, "differential_st")).isEqualTo("DIFFERENTIAL");
        assertThat(value(s, "SELECT count(*) FROM " + buffer))
            .as("rows the IMMEDIATE stream table never consumed, cycle %d", cycle)
            .isZero();
        assertThat(difference(s, "immediate_st", QUERY)).as("cycle %d", cycle).isZero();
      }
      s.execute("SELECT pgtrickle.refresh_stream_table('immediate_st')");
      assertThat(lastAction(s, "immediate_st")).isEqualTo("NO_DATA");
      assertThat(difference(s, "immediate_st", QUERY)).isZero();

      s.execute("SELECT pgtrickle.create_stream_table(name => 'full_st', query => $$" + QUERY
          + "$$, schedule => '1h', refresh_mode => 'FULL')");
      long full = value(s, "SELECT pgt_id FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'full_st'");
      String pendingFull = "SELECT count(*) FROM pgtrickle.pending_stream_tables() p WHERE p = " + full;
      assertThat(value(s, pendingFull)).as("nothing changed since it was created").isZero();
      s.execute("UPDATE src SET v = v + 1 WHERE id % 3 = 0");
      s.execute("SELECT pgtrickle.refresh_stream_table('differential_st')");
      assertThat(value(s, "SELECT count(*) FROM " + buffer)).as("not held for the FULL stream table")
          .isZero();
      assertThat(value(s, pendingFull)).as("the FULL stream table missed the change").isEqualTo(1);
      s.execute("SELECT pgtrickle.refresh_stream_table('full_st')");
      assertThat(lastAction(s, "full_st")).isEqualTo("FULL");
      assertThat(difference(s, "full_st", QUERY)).isZero();
      assertThat(value(s, pendingFull)).isZero();
      s.execute("SELECT pgtrickle.refresh_stream_table('full_st')");
      assertThat(lastAction(s, "full_st")).as("nothing changed since").isEqualTo("NO_DATA");
      assertThat(difference(s, "differential_st", QUERY)).isZero();
    }
  }
}
