package dev.trickle.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import static dev.trickle.testing.StreamTableChecks.difference;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every refresh updates its stream table's catalog row; with half of each catalog page kept free
 * (catalog V27) those updates stay on the row's page, so hundreds of refreshes leave the catalog
 * table the size of its rows instead of growing by a page every few refreshes until autovacuum
 * comes, which every refresh's read of the row would scan.
 */
class CatalogRowPageTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final int REFRESHES = 300;

  @Test
  void manyRefreshesKeepTheStreamTableRowOnOnePage() throws SQLException {
    try (Connection c = db.connectWithoutScheduler();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      s.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)");
      s.execute("INSERT INTO accounts SELECT g, 0 FROM generate_series(1, 100) g");
      s.execute("SELECT pgtrickle.create_stream_table(name => 'rich', query => $$SELECT id, balance"
          + " FROM accounts WHERE balance > 2$$, schedule => '1h', refresh_mode => 'DIFFERENTIAL')");
      for (int i = 0; i < REFRESHES; i++) {
        s.execute("UPDATE accounts SET balance = balance + 1 WHERE id = " + (1 + i % 100));
        s.execute("SELECT pgtrickle.refresh_stream_table('rich')");
      }
      assertThat(difference(s, "rich", "SELECT id, balance FROM accounts WHERE balance > 2"))
          .isZero();
      try (ResultSet rs = s.executeQuery(
          "SELECT pg_catalog.pg_relation_size(c.oid) AS bytes, c.reloptions::text AS options"
              + " FROM pg_catalog.pg_class c WHERE c.oid = 'pgtrickle.pgt_stream_tables'::regclass")) {
        rs.next();
        assertThat(rs.getString("options")).contains("fillfactor=50");
        assertThat(rs.getLong("bytes")).isLessThanOrEqualTo(2 * 8192L);
      }
    }
  }
}
