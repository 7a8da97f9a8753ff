package dev.trickle.service;

import static dev.trickle.service.SqlStates.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.FuzzCycles;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A query that reads a table as a whole row ({@code row_to_json(t)}, {@code t::text}) has no
 * differential rule: DIFFERENTIAL is refused naming the reference, AUTO recomputes, and after
 * random changes and a refresh the stream table equals its query as a multiset (a differential
 * refresh once gave rows carrying the change's weight in their JSON).
 */
class WholeRowQueriesTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static Connection c;
  private static ServiceHarness h;

  @BeforeAll
  static void setUp() throws SQLException {
    c = db.connectPlain();
    h = new ServiceHarness(c);
    h.createExtension();
    h.sql(
        "CREATE TABLE item (id int PRIMARY KEY, k int, price numeric(8,2), note text)",
        "INSERT INTO item SELECT g, g % 4, g * 1.5, 'n' || g FROM generate_series(1, 20) g",
        "CREATE TABLE tag (k int, label text)",
        "INSERT INTO tag SELECT g % 4, 'l' || g FROM generate_series(1, 8) g");
  }

  @AfterAll
  static void close() throws SQLException {
    c.close();
  }

  @Test
  void differentialIsRefusedNamingTheReference() {
    assertFails(
        () -> h.create("st_refused", "SELECT i.id, row_to_json(i)::text AS j FROM item i",
            "refresh_mode", "DIFFERENTIAL"),
        "0A000",
        "stream table public.st_refused cannot use refresh_mode DIFFERENTIAL: whole-row reference i"
            + " at line 1, column 26 of the query has no differential rule");
  }

  @Test
  void autoRecomputesAndMatchesTheQueryAfterRandomChanges() throws SQLException {
    String[] queries = {
      "SELECT i.id, row_to_json(i)::text AS j FROM item i",
      "SELECT t.k, t::text AS row_text FROM tag t",
      "SELECT i.id, row_to_json(t.*)::text AS j FROM item i JOIN tag t ON t.k = i.k",
    };
    for (int q = 0; q < queries.length; q++) {
      String name = "whole_" + q;
      h.create(name, queries[q]);
      assertThat(h.value("SELECT effective_mode || ': ' || mode_reason"
              + " FROM pgtrickle.pgt_stream_tables WHERE pgt_name = '" + name + "'"))
          .startsWith("FULL: ")
          .contains("whole-row reference");
      long seed = FuzzCycles.seed(queries[q].hashCode());
      Random r = new Random(seed);
      for (int cycle = 0; cycle < FuzzCycles.perCase(10); cycle++) {
        for (int i = 0; i < 1 + r.nextInt(4); i++) {
          h.sql(change(r));
        }
        h.refresh(name);
        h.assertMatches(name, queries[q]);
      }
      h.drop(name, false);
    }
  }

  private static String change(Random r) {
    int id = 1 + r.nextInt(25);
    int k = r.nextInt(4);
    return switch (r.nextInt(5)) {
      case 0 -> "UPDATE item SET note = 'u" + r.nextInt(9) + "' WHERE id = " + id;
      case 1 -> "UPDATE item SET price = price + 1, k = " + k + " WHERE id = " + id;
      case 2 -> "DELETE FROM item WHERE id = " + id;
      case 3 -> "INSERT INTO item VALUES (" + id + ", " + k + ", 2.50, NULL) ON CONFLICT DO NOTHING";
      default -> "INSERT INTO tag VALUES (" + k + ", 'x" + r.nextInt(9) + "')";
    };
  }
}
