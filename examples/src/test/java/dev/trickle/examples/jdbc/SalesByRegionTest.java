package dev.trickle.examples.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.trickle.examples.ExampleDatabase;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The README's plain-JDBC snippet on a real database: the stream table it creates equals its
 * defining query after random orders (seeded, NULL regions and repeated amounts included) written
 * through a HikariCP pool, and a manual refresh.
 */
class SalesByRegionTest {
  private static final TestDatabase db = ExampleDatabase.of("jdbc");
  private static final String DEFINING =
      "SELECT region, count(*) AS orders, sum(amount) AS revenue FROM orders GROUP BY region";

  @Test
  void theReadmeSnippetCreatesAStreamTableThatFollowsItsQuery() throws Exception {
    String url = db.trickleUrl();
    try (Connection c = SalesByRegion.connect(url, PostgresFixture.APP_ROLE, PostgresFixture.APP_PASSWORD);
        Statement s = c.createStatement();
        HikariDataSource pool =
            SalesByRegion.pool(url, PostgresFixture.APP_ROLE, PostgresFixture.APP_PASSWORD)) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE orders (id serial PRIMARY KEY, region text, amount numeric(10, 2))");
      s.execute("INSERT INTO orders (region, amount) VALUES ('north', 10), ('south', 5), (NULL, 1)");
      SalesByRegion.createStreamTable(c);
      assertThat(difference(s)).isEmpty();

      Random random = new Random(20261206);
      String[] regions = {"north", "south", "east", null};
      for (int round = 0; round < 5; round++) {
        try (Connection p = pool.getConnection();
            Statement w = p.createStatement()) {
          for (int i = 0; i < 20; i++) {
            String region = regions[random.nextInt(regions.length)];
            w.execute(
                "INSERT INTO orders (region, amount) VALUES ("
                    + (region == null ? "NULL" : "'" + region + "'")
                    + ", "
                    + (1 + random.nextInt(5))
                    + ")");
          }
          w.execute("DELETE FROM orders WHERE id % 7 = " + random.nextInt(7));
          w.execute("UPDATE orders SET region = 'east' WHERE id % 5 = " + random.nextInt(5));
        }
        s.execute("SELECT pgtrickle.refresh_stream_table('sales_by_region')");
        assertThat(difference(s)).as("round %d", round).isEmpty();
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sales_by_region")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(4);
      }
    }
  }

  /** Rows in one but not the other, as multisets. */
  private static List<String> difference(Statement s) throws Exception {
    List<String> rows = new ArrayList<>();
    String st = "SELECT region, orders, revenue FROM sales_by_region";
    try (ResultSet rs =
        s.executeQuery(
            "(" + st + " EXCEPT ALL " + DEFINING + ") UNION ALL (" + DEFINING + " EXCEPT ALL " + st + ")")) {
      while (rs.next()) {
        rows.add(rs.getString(1) + "," + rs.getString(2) + "," + rs.getString(3));
      }
    }
    return rows;
  }
}
