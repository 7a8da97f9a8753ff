package dev.trickle.scheduler;

import static dev.trickle.scheduler.SchedulerHarness.execute;
import static dev.trickle.scheduler.SchedulerHarness.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code pgtrickle.confirm_current} moves the data timestamp of more idle stream tables than fit
 * one transaction's subtransaction cache in one statement, and skips, without waiting, a stream
 * table whose storage another session holds as a refresh does and one whose catalog row another
 * transaction holds.
 */
class ConfirmCurrentTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final int STREAM_TABLES = 70;

  @Test
  void confirmsTheIdleAndSkipsTheBusyWithoutWaiting() throws Exception {
    try (Connection c = db.connectWithoutScheduler();
        Connection storageHolder = db.connectPlain();
        Connection rowHolder = db.connectPlain()) {
      execute(c, "CREATE EXTENSION pg_trickle", "CREATE TABLE src (id int PRIMARY KEY, v int)",
          "INSERT INTO src SELECT g, g FROM generate_series(1, 10) g");
      for (int i = 0; i < STREAM_TABLES; i++) {
        execute(c, "SELECT pgtrickle.create_stream_table('st_" + i + "', 'SELECT id, v FROM src',"
            + " schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      }
      storageHolder.setAutoCommit(false);
      execute(storageHolder, "LOCK TABLE st_5 IN SHARE UPDATE EXCLUSIVE MODE");
      rowHolder.setAutoCommit(false);
      execute(rowHolder, "SELECT 1 FROM pgtrickle.pgt_stream_tables WHERE pgt_name = 'st_6'"
          + " FOR NO KEY UPDATE");
      String at = value(c, "SELECT (clock_timestamp() + interval '1 hour')::text");

      execute(c, "SET statement_timeout = '5s'");
      String confirmed =
          value(c, "SELECT pgtrickle.confirm_current(ARRAY(SELECT pgt_id FROM"
              + " pgtrickle.pgt_stream_tables), '" + at + "')");

      assertThat(confirmed).isEqualTo(String.valueOf(STREAM_TABLES - 2));
      assertThat(value(c, "SELECT string_agg(pgt_name, ',' ORDER BY pgt_name)"
              + " FROM pgtrickle.pgt_stream_tables WHERE data_timestamp < '" + at + "'"))
          .isEqualTo("st_5,st_6");
      storageHolder.rollback();
      rowHolder.rollback();
      assertThat(value(c, "SELECT pgtrickle.confirm_current(ARRAY(SELECT pgt_id FROM"
              + " pgtrickle.pgt_stream_tables), '" + at + "')"))
          .isEqualTo(String.valueOf(STREAM_TABLES));
      assertThat(value(c, "SELECT count(*) FROM pgtrickle.pgt_stream_tables"
              + " WHERE data_timestamp = '" + at + "'"))
          .isEqualTo(String.valueOf(STREAM_TABLES));
    }
  }
}
