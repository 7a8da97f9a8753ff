package dev.trickle.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConnectionSettingsTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @Test
  void trickleParametersLeaveTheUrlAndThePropertiesOthersStay() throws SQLException {
    Properties info = new Properties();
    info.setProperty("user", "alice");
    info.setProperty("trickle.scheduler", "true");
    ConnectionSettings settings =
        ConnectionSettings.parse(
            "jdbc:trickle:postgresql://h:5433/db?ssl=false&trickle.scheduler=false"
                + "&trickle.debug_plan=TRUE&ApplicationName=a%20b",
            info);

    assertThat(settings.delegateUrl())
        .isEqualTo("jdbc:postgresql://h:5433/db?ssl=false&ApplicationName=a%20b");
    assertThat(settings.delegateProperties()).containsOnlyKeys("user");
    assertThat(settings.trickleProperties())
        .containsOnlyKeys("trickle.scheduler", "trickle.debug_plan");
    assertThat(TrickleProperty.SCHEDULER.getBoolean(settings.trickleProperties()))
        .as("the URL wins over the Properties, as in PgJDBC")
        .isFalse();
    assertThat(TrickleProperty.DEBUG_PLAN.getBoolean(settings.trickleProperties())).isTrue();
    assertThat(info).containsKey("trickle.scheduler");
  }

  @Test
  void urlWithOnlyTrickleParametersLosesItsQueryString() throws SQLException {
    ConnectionSettings settings =
        ConnectionSettings.parse("jdbc:trickle:postgresql:db?trickle.scheduler=false", null);
    assertThat(settings.delegateUrl()).isEqualTo("jdbc:postgresql:db");
  }

  @Test
  void defaultsApplyWhenNothingIsGiven() throws SQLException {
    ConnectionSettings settings = ConnectionSettings.parse("jdbc:trickle:postgresql:db", null);
    assertThat(settings.trickleProperties()).isEmpty();
    assertThat(TrickleProperty.SCHEDULER.getBoolean(settings.trickleProperties())).isTrue();
    assertThat(TrickleProperty.DEBUG_PLAN.getBoolean(settings.trickleProperties())).isFalse();
  }

  @Test
  void pgJdbcNeverSeesTrickleProperties() throws SQLException {
    SpyDriver spy = new SpyDriver();
    Properties info = db.appCredentials();
    info.setProperty("trickle.debug_plan", "true");
    TrickleDriver driver = new TrickleDriver(spy, (connection, command, settings) -> {});

    try (Connection c = driver.connect(db.trickleUrl() + "?trickle.scheduler=false", info)) {
      assertThat(c.isValid(5)).isTrue();
    }

    assertThat(spy.urls).containsExactly(db.plainUrl());
    assertThat(spy.properties).hasSize(1);
    assertThat(spy.properties.get(0).stringPropertyNames())
        .containsExactlyInAnyOrder("user", "password");
  }

  /** Records what reaches PgJDBC, then lets PgJDBC connect. */
  private static final class SpyDriver implements Driver {
    private final Driver pgJdbc = new org.postgresql.Driver();
    final List<String> urls = new ArrayList<>();
    final List<Properties> properties = new ArrayList<>();

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
      urls.add(url);
      Properties copy = new Properties();
      copy.putAll(info);
      properties.add(copy);
      return pgJdbc.connect(url, info);
    }

    @Override
    public boolean acceptsURL(String url) throws SQLException {
      return pgJdbc.acceptsURL(url);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
      return pgJdbc.getPropertyInfo(url, info);
    }

    @Override
    public int getMajorVersion() {
      return pgJdbc.getMajorVersion();
    }

    @Override
    public int getMinorVersion() {
      return pgJdbc.getMinorVersion();
    }

    @Override
    public boolean jdbcCompliant() {
      return pgJdbc.jdbcCompliant();
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getLogger("spy");
    }
  }
}
