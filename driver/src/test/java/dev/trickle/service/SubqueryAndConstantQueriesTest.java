package dev.trickle.service;

import static dev.trickle.service.SqlStates.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.SQLException;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Queries that crashed the compiler, drifted or were rejected by PostgreSQL, created with
 * refresh_mode DIFFERENTIAL through the service and its real compiler: a query without FROM, a
 * recursive CTE with a constant base case, NOT IN whose outer column has a namesake in the
 * subquery, a CTE read in FROM and in a scalar subquery (TPC-H Q15), a correlated scalar subquery
 * (TPC-H Q17), and a correlation the compiler cannot decorrelate (refused with its position).
 */
class SubqueryAndConstantQueriesTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private ServiceHarness h;

  @BeforeEach
  void open() throws SQLException {
    h = ServiceHarness.installed(db);
    h.sql("CREATE TABLE edges (src int, dst int)",
        "CREATE TABLE item (id int PRIMARY KEY, k int, v int)",
        "CREATE TABLE tag (id int, x int, w int)");
  }

  @AfterEach
  void close() throws SQLException {
    h.reset("edges", "item", "tag");
  }

  @Test
  void aQueryWithoutFromIsAConstantStreamTable() throws SQLException {
    String query = "SELECT 1 AS x, 'a'::text AS y";
    h.create("constant", query, "refresh_mode", "DIFFERENTIAL");
    h.refresh("constant");
    h.assertMatches("constant", query);
    assertThat(h.rows("SELECT effective_mode FROM pgtrickle.pgt_stream_tables"))
        .containsExactly(java.util.List.of("DIFFERENTIAL"));
    assertThat(h.count("SELECT 1 FROM pgtrickle.pgt_refresh_history WHERE status = 'FAILED'")).isZero();
  }

  @Test
  void aRecursiveCteWithAConstantBaseCaseIsDifferential() throws SQLException {
    String query = "WITH RECURSIVE t(node) AS (SELECT 1 AS node UNION ALL"
        + " SELECT e.dst FROM t JOIN edges e ON e.src = t.node) SELECT node FROM t";
    h.sql("INSERT INTO edges VALUES (1, 2), (2, 3)");
    h.create("reach", query, "refresh_mode", "DIFFERENTIAL");
    h.sql("INSERT INTO edges VALUES (3, 4), (1, 5)", "DELETE FROM edges WHERE src = 2");
    h.refresh("reach");
    h.assertMatches("reach", query);
    assertThat(h.value("SELECT action FROM pgtrickle.pgt_refresh_history ORDER BY refresh_id DESC LIMIT 1"))
        .isEqualTo("DIFFERENTIAL");
  }

  @Test
  void notInWithANamesakeColumnInTheSubqueryStaysEqualToItsQuery() throws SQLException {
    String query = "SELECT id, v FROM item WHERE id NOT IN (SELECT x FROM tag WHERE w > 1)";
    h.sql("INSERT INTO item SELECT g, g % 3, g % 4 FROM generate_series(1, 10) g",
        "INSERT INTO tag SELECT g, g + 2, g % 3 FROM generate_series(1, 4) g");
    h.create("outside", query, "refresh_mode", "DIFFERENTIAL");
    Random r = new Random(18);
    for (int cycle = 0; cycle < 12; cycle++) {
      int id = r.nextInt(12);
      String x = r.nextInt(4) == 0 ? "NULL" : String.valueOf(r.nextInt(12));
      h.sql(switch (r.nextInt(4)) {
        case 0 -> "INSERT INTO tag VALUES (" + id + ", " + x + ", " + r.nextInt(3) + ")";
        case 1 -> "DELETE FROM tag WHERE x IS NOT DISTINCT FROM " + x;
        case 2 -> "INSERT INTO item VALUES (" + id + ", 1, 1) ON CONFLICT (id) DO UPDATE SET v = item.v + 1";
        default -> "DELETE FROM item WHERE id = " + id;
      });
      h.refresh("outside");
      h.assertMatches("outside", query);
    }
    assertThat(h.count("SELECT 1 FROM pgtrickle.pgt_refresh_history WHERE status = 'FAILED'")).isZero();
  }

  /**
   * A column named {@code v}, written without its table, beside an uncorrelated scalar subquery:
   * the subquery's value is joined in under a reserved name, so the column stays unambiguous.
   */
  @Test
  void aColumnNamedVBesideAScalarSubqueryStaysEqualToItsQuery() throws SQLException {
    String query = "SELECT id, v FROM item WHERE v > (SELECT avg(v) FROM item)";
    h.sql("INSERT INTO item SELECT g, g % 3, g FROM generate_series(1, 10) g");
    h.create("above", query, "refresh_mode", "DIFFERENTIAL");
    Random r = new Random(31);
    for (int cycle = 0; cycle < 12; cycle++) {
      int id = r.nextInt(14);
      h.sql(switch (r.nextInt(3)) {
        case 0 -> "INSERT INTO item VALUES (" + id + ", 1, " + r.nextInt(30) + ") ON CONFLICT (id)"
            + " DO UPDATE SET v = excluded.v";
        case 1 -> "UPDATE item SET v = NULL WHERE id = " + id;
        default -> "DELETE FROM item WHERE id = " + id;
      });
      h.refresh("above");
      h.assertMatches("above", query);
    }
    assertThat(h.count("SELECT 1 FROM pgtrickle.pgt_refresh_history WHERE status = 'FAILED'")).isZero();
  }

  @Test
  void aCteInFromAndInAScalarSubqueryAndACorrelatedScalarSubqueryAreDifferential() throws SQLException {
    String top = "WITH r AS (SELECT k, sum(v) AS total FROM item GROUP BY k)"
        + " SELECT t.id, r.total FROM tag t, r WHERE t.x = r.k AND r.total = (SELECT max(total) FROM r)";
    String below = "SELECT id, k FROM item WHERE v < (SELECT 0.5 * avg(w) FROM tag WHERE x = k)";
    h.sql("INSERT INTO item SELECT g, g % 3, g FROM generate_series(1, 9) g",
        "INSERT INTO tag SELECT g, g % 3, g * 2 FROM generate_series(1, 6) g");
    h.create("top", top, "refresh_mode", "DIFFERENTIAL");
    h.create("below", below, "refresh_mode", "DIFFERENTIAL");
    h.sql("UPDATE item SET v = v + 10 WHERE k = 1", "INSERT INTO tag VALUES (7, 1, 40), (8, NULL, 1)");
    h.refresh("top");
    h.refresh("below");
    h.assertMatches("top", top);
    h.assertMatches("below", below);
    assertThat(h.rows("SELECT DISTINCT action FROM pgtrickle.pgt_refresh_history WHERE action <> 'FULL'"))
        .containsExactly(java.util.List.of("DIFFERENTIAL"));
  }

  @Test
  void aCorrelationThatIsNotAnEqualityIsRefusedAtItsLineAndColumn() {
    assertFails(() -> h.create("refused",
            "SELECT id\nFROM item\nWHERE v < (SELECT max(w) FROM tag WHERE tag.x > item.k)",
            "refresh_mode", "DIFFERENTIAL"),
        "0A000", "at line 3, column 12");
    assertFails(() -> h.create("refused", "SELECT id FROM item WHERE v < (SELECT w FROM tag WHERE tag.x = item.k)",
            "refresh_mode", "DIFFERENTIAL"),
        "0A000", "subquery (SELECT w FROM tag WHERE tag.x = item.k) at line 1, column 32");
  }
}
