package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.jdbc.TrickleDataSource;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Flyway migrations containing stream-table statements run unchanged through the driver. */
class FlywayMigrationTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void migrationsCreateAndReplaceStreamTables() throws Exception {
    TrickleDataSource dataSource = new TrickleDataSource();
    dataSource.setUrl(db.trickleUrl());
    dataSource.setUser(PostgresFixture.APP_ROLE);
    dataSource.setPassword(PostgresFixture.APP_PASSWORD);
    MigrateResult result =
        Flyway.configure()
            .dataSource(dataSource)
            .locations("classpath:db/trickle-migration")
            .load()
            .migrate();
    assertThat(result.success).isTrue();
    assertThat(result.migrationsExecuted).isEqualTo(2);
    try (Connection c = db.connectPlain();
        Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT customer, revenue, orders FROM revenue_by_customer ORDER BY customer")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("ada");
        assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("15");
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("bob");
      }
      try (ResultSet rs = st.executeQuery("SELECT string_agg(id::text, ',' ORDER BY id) FROM big_orders")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).as("replaced query keeps only amount > 8").isEqualTo("1");
      }
      try (ResultSet rs =
          st.executeQuery(
              "SELECT refresh_mode FROM pgtrickle.pgt_status() WHERE name = 'public.big_orders'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("DIFFERENTIAL");
      }
    }
  }
}
