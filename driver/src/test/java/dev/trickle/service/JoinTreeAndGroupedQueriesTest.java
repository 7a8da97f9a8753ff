package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Join trees and grouped constructs created with refresh_mode DIFFERENTIAL through the service and
 * its real compiler, changed by SQL transactions written as text (one committed, one rolled back,
 * one with a savepoint rolled back inside it): a LEFT JOIN followed by more joins, a FULL JOIN of
 * three relations, a NATURAL join read with {@code *}, FULL JOIN USING, {@code array_agg} with
 * FILTER, and a window over grouped rows with DISTINCT and a named WINDOW. Each stays equal to its
 * query and every refresh is DIFFERENTIAL.
 */
class JoinTreeAndGroupedQueriesTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final List<String> QUERIES = List.of(
      "SELECT o.id, c.name, p.title FROM orders o LEFT JOIN customer c ON c.id = o.cust JOIN product p ON p.id = o.prod",
      "SELECT o.id, c.name, p.title FROM orders o FULL JOIN customer c ON c.id = o.cust FULL JOIN product p ON p.id = o.prod",
      "SELECT * FROM orders NATURAL JOIN (SELECT id AS prod, title FROM product) AS p",
      "SELECT id, c.name, o.prod FROM customer c FULL JOIN orders o USING (id)",
      "SELECT cust, array_agg(prod ORDER BY id) FILTER (WHERE prod IS NOT NULL) AS prods FROM orders GROUP BY cust",
      "SELECT DISTINCT cust % 2 AS parity, rank() OVER w AS place FROM orders GROUP BY cust"
          + " WINDOW w AS (PARTITION BY cust % 2 ORDER BY count(*) DESC)");

  private ServiceHarness h;

  @BeforeEach
  void open() throws SQLException {
    h = ServiceHarness.installed(db);
    h.sql("CREATE TABLE customer (id int PRIMARY KEY, name text)",
        "CREATE TABLE product (id int PRIMARY KEY, title text)",
        "CREATE TABLE orders (id int PRIMARY KEY, cust int, prod int)",
        "INSERT INTO customer SELECT g, 'c' || g FROM generate_series(1, 4) g",
        "INSERT INTO product SELECT g, 'p' || g FROM generate_series(1, 3) g",
        "INSERT INTO orders SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE g % 5 END, g % 4 FROM generate_series(1, 8) g");
  }

  @AfterEach
  void close() throws SQLException {
    h.reset("orders", "customer", "product");
  }

  @Test
  void theyStayEqualToTheirQueriesThroughCommittedAndRolledBackTransactions() throws SQLException {
    for (int i = 0; i < QUERIES.size(); i++) {
      h.create("st_" + i, QUERIES.get(i), "refresh_mode", "DIFFERENTIAL");
    }
    h.sql("BEGIN", "DELETE FROM customer WHERE id = 1", "UPDATE orders SET cust = 2 WHERE cust = 3",
        "INSERT INTO product VALUES (9, 'p9')", "INSERT INTO orders VALUES (20, 1, 9), (21, NULL, NULL)", "COMMIT");
    h.sql("BEGIN", "DELETE FROM orders", "DELETE FROM product", "ROLLBACK");
    h.sql("BEGIN", "INSERT INTO customer VALUES (1, 'again')", "SAVEPOINT s",
        "DELETE FROM orders WHERE prod = 1", "ROLLBACK TO SAVEPOINT s", "UPDATE product SET id = 5 WHERE id = 2",
        "COMMIT");
    for (int i = 0; i < QUERIES.size(); i++) {
      h.refresh("st_" + i);
      h.assertMatches("st_" + i, QUERIES.get(i));
    }
    assertThat(h.rows("SELECT DISTINCT effective_mode FROM pgtrickle.pgt_stream_tables"))
        .containsExactly(List.of("DIFFERENTIAL"));
    assertThat(h.rows("SELECT DISTINCT action FROM pgtrickle.pgt_refresh_history WHERE action <> 'FULL'"))
        .containsExactly(List.of("DIFFERENTIAL"));
    assertThat(h.count("SELECT 1 FROM pgtrickle.pgt_refresh_history WHERE status = 'FAILED'")).isZero();
  }
}
