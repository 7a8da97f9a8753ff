package dev.trickle.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.catalog.DriverSettings;
import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
  void settingsAreReadOnceIntoTheValueThePackagesBelowTake() throws SQLException {
    Properties info = new Properties();
    info.setProperty("trickle.max_consecutive_errors", "7");
    info.setProperty("trickle.min_schedule_seconds", " ");
    ConnectionSettings settings =
        ConnectionSettings.parse(
            "jdbc:trickle:postgresql:db?trickle.scheduler_interval_ms=250"
                + "&trickle.parallel_refresh_mode=ON&trickle.max_dynamic_refresh_workers=2",
            info);

    DriverSettings read = settings.settings();
    assertThat(read.schedulerInterval()).contains(Duration.ofMillis(250));
    assertThat(read.parallelRefresh()).contains(true);
    assertThat(read.maxDynamicRefreshWorkers()).hasValue(2);
    assertThat(read.maxConsecutiveErrors()).hasValue(7);
    assertThat(read.minScheduleSeconds()).as("blank is not given").isEmpty();
    assertThat(read.debugPlan()).isFalse();
    assertThat(ConnectionSettings.parse("jdbc:trickle:postgresql:db", null).settings())
        .isEqualTo(DriverSettings.NONE);
  }

  @ParameterizedTest
  @CsvSource({
    "trickle.max_consecutive_errors, 0, at least 1",
    "trickle.max_consecutive_errors, many, at least 1",
    "trickle.min_schedule_seconds, -1, at least 0",
    "trickle.scheduler_interval_ms, 5, at least 10",
    "trickle.max_dynamic_refresh_workers, 99999999999, at least 1"
  })
  void aBadIntegerIsRefusedWhenConnectingNotWhenFirstUsed(
      String property, String value, String expected) {
    Properties info = db.appCredentials();
    info.setProperty(property, value);
    info.setProperty("trickle.scheduler", "false");
    assertThatThrownBy(() -> new TrickleDriver().connect(db.trickleUrl(), info))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("connection property " + property + " cannot be '" + value + "'")
        .hasMessageContaining(expected)
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo("22023");
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
    TrickleDriver driver =
        new TrickleDriver(spy, TestEngine.standard(), (connection, command, settings) -> {});

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
