package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.rewriter.command.TrickleCommand;
import dev.trickle.testing.FuzzCycles;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The oracle: after random inserts, updates and deletes (NULLs and duplicates included) and a
 * refresh, every stream table equals its defining query as a multiset. The seed is printed on
 * failure; rerun with {@code -Dtrickle.oracle.seed=<seed>}.
 */
class OracleTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final Map<String, String> QUERIES =
      Map.of(
          "o_join", "SELECT a.k, a.v, b.w FROM ta a JOIN tb b ON a.k = b.k",
          "o_left", "SELECT a.k, a.v, b.w FROM ta a LEFT JOIN tb b ON a.k = b.k",
          "o_agg", "SELECT k, count(*) AS n, sum(v) AS s, max(w) AS m FROM tb GROUP BY k",
          "o_distinct", "SELECT DISTINCT v FROM ta",
          "o_union", "SELECT k, v FROM ta UNION ALL SELECT k, w::int FROM tb",
          "o_union_distinct", "SELECT k FROM ta UNION SELECT k FROM tb",
          "o_filter", "SELECT * FROM ta WHERE v IS NULL OR v > 5",
          "o_chain", "SELECT k, n FROM o_agg WHERE n > 1");

  @AfterEach
  void dropEverything() throws SQLException {
    try (Connection c = db.connectPlain()) {
      ServiceHarness h = new ServiceHarness(c);
      h.run(new TrickleCommand.DropExtension(true, true));
      h.sql("DROP TABLE IF EXISTS ta, tb");
    }
  }

  @Test
  void streamTablesEqualTheirQueriesAfterRandomChanges() throws SQLException {
    long seed = Long.getLong("trickle.oracle.seed", System.nanoTime());
    Random random = new Random(seed);
    try (Connection c = db.connectPlain()) {
      ServiceHarness h = new ServiceHarness(c);
      h.createExtension();
      h.sql("CREATE TABLE ta (k int, v int)", "CREATE TABLE tb (id serial PRIMARY KEY, k int,"
          + " v int, w text)");
      List<String> names = new ArrayList<>(List.of("o_join", "o_left", "o_agg", "o_distinct",
          "o_union", "o_union_distinct", "o_filter", "o_chain"));
      for (String name : names) {
        h.create(name, QUERIES.get(name), "refresh_mode", "FULL");
      }
      for (int cycle = 0; cycle < FuzzCycles.perCase(25); cycle++) {
        for (int i = random.nextInt(8); i >= 0; i--) {
          h.sql(randomChange(random));
        }
        for (String name : names) {
          h.refresh(name);
        }
        for (String name : names) {
          try {
            h.assertMatches(name, QUERIES.get(name));
          } catch (AssertionError e) {
            throw new AssertionError(
                "oracle failed for " + name + " in cycle " + cycle + " with seed " + seed, e);
          }
        }
      }
      assertThat(h.count("SELECT * FROM pgtrickle.pgt_refresh_history WHERE status = 'FAILED'"))
          .isZero();
    }
  }

  /**
   * The same with differential maintenance (the test compiler) and a second writer whose
   * transactions stay open across refreshes and commit out of order: each change must be applied
   * exactly once. The open writer only inserts, so it never waits for this thread's writes.
   */
  @Test
  void differentialDeltasAreConsumedExactlyOnceAcrossOpenWriters() throws SQLException {
    long seed = Long.getLong("trickle.oracle.seed", System.nanoTime());
    Random random = new Random(seed);
    try (Connection c = db.connectPlain(); Connection writer = db.connectPlain()) {
      ServiceHarness h = new ServiceHarness(c, new IdentityCompiler());
      ServiceHarness w = new ServiceHarness(writer);
      h.createExtension();
      h.sql("CREATE TABLE ta (k int, v int)", "CREATE TABLE tb (id serial PRIMARY KEY, k int,"
          + " v int, w text)");
      h.create("d_ta", "SELECT * FROM ta", "refresh_mode", "DIFFERENTIAL");
      h.create("d_tb", "SELECT * FROM tb", "refresh_mode", "DIFFERENTIAL");
      writer.setAutoCommit(false);
      for (int cycle = 0; cycle < FuzzCycles.perCase(25); cycle++) {
        for (int i = random.nextInt(6); i >= 0; i--) {
          h.sql(randomChange(random));
        }
        if (random.nextBoolean()) {
          w.sql(randomInsert(random));
        }
        if (random.nextInt(3) == 0) {
          writer.commit();
        }
        h.refresh("d_ta");
        h.refresh("d_tb");
        try {
          h.assertMatches("d_ta", "SELECT * FROM ta");
          h.assertMatches("d_tb", "SELECT * FROM tb");
        } catch (AssertionError e) {
          throw new AssertionError("oracle failed in cycle " + cycle + " with seed " + seed, e);
        }
      }
      writer.commit();
      h.refresh("d_ta");
      h.refresh("d_tb");
      h.assertMatches("d_ta", "SELECT * FROM ta");
      h.assertMatches("d_tb", "SELECT * FROM tb");
      assertThat(h.count("SELECT * FROM pgtrickle.pgt_refresh_history"
          + " WHERE action = 'DIFFERENTIAL'")).isPositive();
    }
  }

  private static String randomChange(Random random) {
    String k = small(random);
    String v = small(random);
    return switch (random.nextInt(7)) {
      case 0 -> "INSERT INTO ta VALUES (" + k + ", " + v + "), (" + k + ", " + v + ")";
      case 1 -> "INSERT INTO ta SELECT " + k + ", g FROM generate_series(1, 3) g";
      case 2 -> "INSERT INTO tb (k, v, w) VALUES (" + k + ", " + v + ", "
          + (random.nextInt(4) == 0 ? "NULL" : "'" + random.nextInt(5) + "'") + ")";
      case 3 -> "UPDATE ta SET v = " + v + " WHERE k IS NOT DISTINCT FROM " + k;
      case 4 -> "UPDATE tb SET k = " + k + " WHERE id % 3 = " + random.nextInt(3);
      case 5 -> "DELETE FROM ta WHERE ctid IN (SELECT ctid FROM ta WHERE k IS NOT DISTINCT FROM "
          + k + " LIMIT 1)";
      default -> "DELETE FROM tb WHERE v IS NOT DISTINCT FROM " + v;
    };
  }

  private static String randomInsert(Random random) {
    return random.nextBoolean()
        ? "INSERT INTO ta VALUES (" + small(random) + ", " + small(random) + ")"
        : "INSERT INTO tb (k, v, w) VALUES (" + small(random) + ", " + small(random) + ", 'x')";
  }

  /** A small int or NULL, so that keys repeat and NULLs appear. */
  private static String small(Random random) {
    return random.nextInt(6) == 0 ? "NULL" : Integer.toString(random.nextInt(8));
  }
}
