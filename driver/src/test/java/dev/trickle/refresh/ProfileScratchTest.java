package dev.trickle.refresh;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ProfileScratchTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void profile() throws Exception {
    Properties p = new Properties();
    p.setProperty("trickle.scheduler", "false");
    String q = System.getProperty("q", "SELECT id, amount FROM orders WHERE amount > 500");
    int rows = Integer.getInteger("rows", 100000);
    int n = Integer.getInteger("n", 200);
    try (Connection c = db.connect(p); Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE orders (id int PRIMARY KEY, grp int, amount int)");
      s.execute("INSERT INTO orders SELECT g, g % 1000, g % 1000 FROM generate_series(1," + rows + ") g");
      s.execute("ANALYZE orders");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'st', query => $$" + q + "$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      long[] t = new long[n];
      for (int i = 0; i < n; i++) {
        s.execute("UPDATE orders SET amount = amount + 1 WHERE id % " + (rows / 10) + " = " + (i % 1000));
        long t0 = System.nanoTime();
        s.execute("SELECT pgtrickle.refresh_stream_table('st')");
        t[i] = System.nanoTime() - t0;
      }
      Arrays.sort(t);
      System.out.printf("PROFILE median %.2f ms p10 %.2f p90 %.2f%n", t[n / 2] / 1e6, t[n / 10] / 1e6, t[n * 9 / 10] / 1e6);
      try (var rs = s.executeQuery("SELECT action, count(*) FROM pgtrickle.pgt_refresh_history GROUP BY 1")) {
        while (rs.next()) System.out.println("PROFILE " + rs.getString(1) + " " + rs.getLong(2));
      }
    }
  }
}
