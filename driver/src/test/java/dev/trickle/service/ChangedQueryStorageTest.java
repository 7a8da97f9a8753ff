package dev.trickle.service;

import static dev.trickle.testing.StreamTableChecks.difference;
import static dev.trickle.testing.StreamTableChecks.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A changed defining query rebuilds what the storage table needs: going from an aggregate (unique
 * on its groups) to a query whose rows repeat the former key, back again, to other output columns,
 * through {@code alter_stream_table(query => ...)} and {@code create_or_replace_stream_table}. After
 * each change, random writes and refreshes keep the stream table equal to its query (the seed is
 * printed on failure; rerun with {@code -Dtrickle.oracle.seed=<seed>}).
 */
class ChangedQueryStorageTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final List<String> QUERIES =
      List.of(
          "SELECT k, count(*) AS n FROM t GROUP BY k",
          "SELECT k, v AS n FROM t",
          "SELECT k, sum(v) AS n, max(v) AS m FROM t GROUP BY k",
          "SELECT k, v AS n, id AS m FROM t",
          "SELECT DISTINCT k FROM t",
          "SELECT k FROM t",
          "SELECT k, v, id FROM t WHERE v > 2",
          "SELECT k, count(*) AS n FROM t GROUP BY k");

  @AfterEach
  void dropEverything() throws SQLException {
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      s.execute("DROP EXTENSION IF EXISTS pg_trickle CASCADE");
      s.execute("DROP TABLE IF EXISTS t");
    }
  }

  @Test
  void alterRebuildsStorageAndIndexes() throws SQLException {
    walk("SELECT pgtrickle.alter_stream_table('st', query => $q$%s$q$)");
  }

  @Test
  void createOrReplaceRebuildsStorageAndIndexes() throws SQLException {
    walk("SELECT pgtrickle.create_or_replace_stream_table('st', $q$%s$q$, refresh_mode => 'DIFFERENTIAL')");
  }

  @Test
  void ddlFormRebuildsStorageAndIndexes() throws SQLException {
    walk("CREATE OR REPLACE STREAM TABLE st WITH (refresh_mode = 'DIFFERENTIAL') AS %s");
  }

  private static void walk(String change) throws SQLException {
    long seed = Long.getLong("trickle.oracle.seed", System.nanoTime());
    Random random = new Random(seed);
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE t (id int PRIMARY KEY, k int, v int)");
      s.execute("INSERT INTO t SELECT i, i % 4, i % 7 FROM generate_series(1, 40) i");
      s.execute("SELECT pgtrickle.create_stream_table('st', $q$" + QUERIES.get(0)
          + "$q$, refresh_mode => 'DIFFERENTIAL')");
      for (int step = 1; step < QUERIES.size(); step++) {
        String query = QUERIES.get(step);
        String context = "step " + step + " (" + query + ") with seed " + seed;
        s.execute(String.format(change, query));
        assertThat(difference(s, "st", query)).as("after the change, %s", context).isZero();
        for (int cycle = 0; cycle < 4; cycle++) {
          for (int i = random.nextInt(6); i >= 0; i--) {
            int id = 1 + random.nextInt(60);
            s.execute(switch (random.nextInt(3)) {
              case 0 -> "INSERT INTO t VALUES (" + id + ", " + random.nextInt(4) + ", " + random.nextInt(7)
                  + ") ON CONFLICT (id) DO UPDATE SET k = excluded.k";
              case 1 -> "UPDATE t SET v = " + random.nextInt(7) + " WHERE id = " + id;
              default -> "DELETE FROM t WHERE id = " + id;
            });
          }
          s.execute("SELECT pgtrickle.refresh_stream_table('st')");
          assertThat(difference(s, "st", query)).as("cycle %d, %s", cycle, context).isZero();
        }
        assertThat(value(s, "SELECT count(*) FROM pgtrickle.pgt_refresh_history WHERE status = 'FAILED'"))
            .as(context).isZero();
      }
    }
  }
}
