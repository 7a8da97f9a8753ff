package dev.trickle.refresh;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.FuzzCycles;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The change-buffer cleanup ({@code pgtrickle.clean_up_changes}) deletes exactly the rows every
 * DIFFERENTIAL consumer has consumed and records exactly the FULL consumers that had not seen a
 * deleted row, whatever the consumers' frontiers: the oracle is the definition, row by row, asked
 * of the buffer just before each cleanup. Random steps move three DIFFERENTIAL and one FULL stream
 * table's frontiers apart: writes in autocommit, a refresh inside a transaction that wrote the
 * source first (a frontier with rows of its own transaction), a writer on another connection left
 * open across refreshes and cleanups, and refreshes in random order. The cleanup runs as a
 * refresh's own (which may truncate a drained buffer), as one in a caller's transaction, or as a
 * FULL reader's, which leaves a buffer that DIFFERENTIAL stream tables read to their cleanups.
 * Every stream table equals its query at the end. Seeded; {@code trickle.fuzz.cycles} lengthens
 * it.
 */
class CleanupBoundsOracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final List<String> DIFFERENTIAL = List.of("d_even", "d_big", "d_all");
  private static final List<String> QUERIES =
      List.of(
          "SELECT id, v FROM src WHERE v % 2 = 0",
          "SELECT id, v FROM src WHERE v > 50",
          "SELECT id, v FROM src");
  private static final String FULL_QUERY = "SELECT v % 5 AS k, count(*) AS n FROM src GROUP BY 1";

  @Test
  void deletesWhatEveryConsumerConsumedAndRecordsWhatFullOnesMissed() throws SQLException {
    try (Connection c = db.connectWithoutScheduler();
        Connection other = db.connectWithoutScheduler();
        Statement s = c.createStatement();
        Statement w = other.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE src (id int PRIMARY KEY, v int)");
      s.execute("INSERT INTO src SELECT g, g % 97 FROM generate_series(1, 300) g");
      for (int i = 0; i < DIFFERENTIAL.size(); i++) {
        s.execute("SELECT pgtrickle.create_stream_table(name => '" + DIFFERENTIAL.get(i)
            + "', query => $$" + QUERIES.get(i) + "$$, schedule => '1h',"
            + " refresh_mode => 'DIFFERENTIAL')");
      }
      s.execute("SELECT pgtrickle.create_stream_table(name => 'f_groups', query => $$" + FULL_QUERY
          + "$$, schedule => '1h', refresh_mode => 'FULL')");
      long source = value(s, "SELECT 'src'::regclass::oid");
      String buffer = "pgtrickle_changes.changes_" + source;
      Random r = new Random(FuzzCycles.seed(29));
      boolean otherOpen = false;
      int cycles = FuzzCycles.perCase(40);
      for (int cycle = 1; cycle <= cycles; cycle++) {
        String at = "seed " + FuzzCycles.seed(29) + ", cycle " + cycle;
        switch (r.nextInt(5)) {
          case 0 -> s.execute(write(r));
          case 1 -> {
            if (otherOpen) {
              // A refresh in a transaction locks the sources against writers: commit the other.
              w.execute("COMMIT");
              otherOpen = false;
            }
            s.execute("BEGIN");
            s.execute(write(r));
            s.execute("SELECT pgtrickle.refresh_stream_table('" + anyStreamTable(r) + "')");
            s.execute(r.nextBoolean() ? "COMMIT" : "ROLLBACK");
          }
          case 2 -> {
            if (otherOpen) {
              w.execute("COMMIT");
            } else {
              w.execute("BEGIN");
              w.execute(write(r));
            }
            otherOpen = !otherOpen;
          }
          default ->
              s.execute("SELECT pgtrickle.refresh_stream_table('" + anyStreamTable(r) + "')");
        }
        long kept = value(s, "SELECT count(*) FROM " + buffer + " b WHERE EXISTS ("
            + differentialConsumers() + " AND pgtrickle.unconsumed(b.__pgt_xid, b.__pgt_seq,"
            + " f2.frontier, f2.own_xid, f2.own_seq))");
        long missed = value(s, "SELECT count(*) FROM pgtrickle.pgt_frontiers f"
            + " JOIN pgtrickle.pgt_stream_tables t ON t.pgt_id = f.pgt_id"
            + " WHERE f.source_relid = " + source + " AND t.effective_mode = 'FULL'"
            + " AND (EXISTS (SELECT 1 FROM pgtrickle.pgt_missed_changes m"
            + " WHERE m.pgt_id = f.pgt_id AND m.source_relid = f.source_relid)"
            + " OR EXISTS (SELECT 1 FROM " + buffer + " b WHERE NOT EXISTS ("
            + differentialConsumers() + " AND pgtrickle.unconsumed(b.__pgt_xid, b.__pgt_seq,"
            + " f2.frontier, f2.own_xid, f2.own_seq)) AND pgtrickle.unconsumed(b.__pgt_xid,"
            + " b.__pgt_seq, f.frontier, f.own_xid, f.own_seq)))");
        int form = r.nextInt(3);
        if (form == 2) {
          // As a FULL reader's refresh cleans up: a DIFFERENTIAL reader exists, nothing changes.
          kept = value(s, "SELECT count(*) FROM " + buffer);
          missed = value(s, "SELECT count(*) FROM pgtrickle.pgt_missed_changes m"
              + " WHERE m.source_relid = " + source);
        }
        assertThat(value(s, "SELECT count(*) FROM pgtrickle.clean_up_changes(ARRAY[" + source
            + "]::oid[], " + (form == 1) + ", " + (form == 2) + ") AS failures"
            + " WHERE failures IS NOT NULL")).as(at).isZero();
        assertThat(value(s, "SELECT count(*) FROM " + buffer)).as("rows kept, %s", at)
            .isEqualTo(kept);
        assertThat(value(s, "SELECT count(*) FROM pgtrickle.pgt_missed_changes m"
            + " WHERE m.source_relid = " + source)).as("FULL consumers that missed rows, %s", at)
            .isEqualTo(missed);
      }
      if (otherOpen) {
        w.execute("COMMIT");
      }
      for (int i = 0; i < DIFFERENTIAL.size(); i++) {
        s.execute("SELECT pgtrickle.refresh_stream_table('" + DIFFERENTIAL.get(i) + "')");
        assertThat(difference(s, DIFFERENTIAL.get(i), QUERIES.get(i))).isZero();
      }
      s.execute("SELECT pgtrickle.refresh_stream_table('f_groups')");
      assertThat(difference(s, "f_groups", FULL_QUERY)).isZero();
    }
  }

  /** The DIFFERENTIAL consumers' frontiers of the source ({@code f2}), as a subquery's start. */
  private static String differentialConsumers() {
    return "SELECT 1 FROM pgtrickle.pgt_frontiers f2 JOIN pgtrickle.pgt_stream_tables t2"
        + " ON t2.pgt_id = f2.pgt_id"
        + " WHERE f2.source_relid = 'src'::regclass AND f2.frontier IS NOT NULL"
        + " AND t2.effective_mode = 'DIFFERENTIAL'";
  }

  private static String anyStreamTable(Random r) {
    int pick = r.nextInt(DIFFERENTIAL.size() + 1);
    return pick < DIFFERENTIAL.size() ? DIFFERENTIAL.get(pick) : "f_groups";
  }

  private static String write(Random r) {
    int id = 1 + r.nextInt(330);
    return switch (r.nextInt(3)) {
      case 0 -> "UPDATE src SET v = (v + " + r.nextInt(50) + ") % 97 WHERE id % 7 = " + (id % 7);
      case 1 -> "INSERT INTO src VALUES (" + id + ", " + (id % 97) + ") ON CONFLICT DO NOTHING";
      default -> "DELETE FROM src WHERE id = " + id;
    };
  }
}
