package dev.trickle.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HikariCP pools connections through the driver in both ways it can be configured. */
class HikariPoolTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void poolByJdbcUrl() throws SQLException {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.trickleUrl() + "?trickle.scheduler=false");
    config.setUsername(PostgresFixture.APP_ROLE);
    config.setPassword(PostgresFixture.APP_PASSWORD);
    config.setMaximumPoolSize(2);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      assertRunsQueries(pool);
    }
  }

  @Test
  void poolByDataSourceClassName() throws SQLException {
    HikariConfig config = new HikariConfig();
    config.setDataSourceClassName(TrickleDataSource.class.getName());
    config.addDataSourceProperty("url", db.trickleUrl());
    config.setUsername(PostgresFixture.APP_ROLE);
    config.setPassword(PostgresFixture.APP_PASSWORD);
    config.setMaximumPoolSize(2);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      assertRunsQueries(pool);
    }
  }

  @Test
  void dataSourceOnItsOwn() throws SQLException {
    TrickleDataSource ds = new TrickleDataSource();
    ds.setUrl(db.trickleUrl());
    ds.setUser(PostgresFixture.APP_ROLE);
    ds.setPassword(PostgresFixture.APP_PASSWORD);
    ds.setLoginTimeout(10);
    assertRunsQueries(ds);
    assertThat(ds.isWrapperFor(TrickleDataSource.class)).isTrue();

    TrickleDataSource foreign = new TrickleDataSource();
    foreign.setUrl(db.plainUrl());
    assertThatThrownBy(foreign::getConnection)
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08001"))
        .hasMessageContaining("jdbc:trickle:postgresql:");
  }

  private static void assertRunsQueries(DataSource ds) throws SQLException {
    for (int i = 0; i < 3; i++) {
      try (Connection c = ds.getConnection();
          PreparedStatement ps = c.prepareStatement("SELECT ?::int + 1")) {
        assertThat(c.isWrapperFor(TrickleConnection.class)).isTrue();
        ps.setInt(1, i);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getInt(1)).isEqualTo(i + 1);
        }
      }
    }
  }
}
