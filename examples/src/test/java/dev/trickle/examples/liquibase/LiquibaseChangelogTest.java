package dev.trickle.examples.liquibase;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.examples.ExampleDatabase;
import dev.trickle.jdbc.TrickleDataSource;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.ResultRows;
import dev.trickle.testing.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import org.junit.jupiter.api.Test;

/**
 * The Liquibase changelog {@code db/changelog/shop.xml} through a {@code jdbc:trickle:}
 * DataSource: it creates the catalog, the orders and an IMMEDIATE stream table, and alters its
 * query; the stream table then follows writes in their own transaction, and a second update is a
 * no-op.
 */
class LiquibaseChangelogTest {
  private static final TestDatabase db = ExampleDatabase.of("liquibase");

  @Test
  void changelogCreatesAndAltersAnImmediateStreamTable() throws Exception {
    TrickleDataSource dataSource = new TrickleDataSource();
    dataSource.setUrl(db.trickleUrl());
    dataSource.setUser(PostgresFixture.APP_ROLE);
    dataSource.setPassword(PostgresFixture.APP_PASSWORD);
    update(dataSource);
    update(dataSource);

    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      assertThat(ResultRows.of(s, "SELECT id FROM databasechangelog ORDER BY orderexecuted"))
          .containsExactly(
              List.of("1-catalog"), List.of("2-orders"), List.of("3-customer-totals"),
              List.of("4-largest-order"));
      assertThat(ResultRows.of(s, "SELECT name, refresh_mode FROM pgtrickle.pgt_status()"))
          .containsExactly(List.of("public.customer_totals", "IMMEDIATE"));

      c.setAutoCommit(false);
      s.execute("INSERT INTO orders (customer, amount) VALUES ('ada', 10), ('ada', 4.5), ('bob', 7)");
      assertThat(ResultRows.of(s, "SELECT customer, orders, revenue, largest FROM customer_totals ORDER BY 1"))
          .as("maintained inside the writing transaction")
          .containsExactly(List.of("ada", "2", "14.50", "10.00"), List.of("bob", "1", "7.00", "7.00"));
      s.execute("DELETE FROM orders WHERE customer = 'bob'");
      c.commit();
      c.setAutoCommit(true);
      assertThat(ResultRows.of(s, "SELECT customer, orders, revenue FROM customer_totals ORDER BY 1"))
          .containsExactly(List.of("ada", "2", "14.50"));
      try (ResultSet rs = s.executeQuery("SELECT sum(revenue) FROM customer_totals")) {
        rs.next();
        assertThat(rs.getBigDecimal(1)).isEqualByComparingTo(new BigDecimal("14.50"));
      }
    }
  }

  private static void update(TrickleDataSource dataSource) throws Exception {
    try (Connection c = dataSource.getConnection()) {
      Database database =
          DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
      Scope.child(
          Scope.Attr.resourceAccessor,
          new ClassLoaderResourceAccessor(),
          () ->
              new CommandScope(UpdateCommandStep.COMMAND_NAME)
                  .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                  .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, "db/changelog/shop.xml")
                  .execute());
    }
  }
}
