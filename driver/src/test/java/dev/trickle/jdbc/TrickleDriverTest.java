package dev.trickle.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Arrays;
import java.util.Properties;
import java.util.ServiceLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;

class TrickleDriverTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  @BeforeAll
  static void createTable() throws SQLException {
    try (Connection c = db.connectPlain();
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE item (id serial PRIMARY KEY, name text NOT NULL)");
      st.execute("INSERT INTO item (name) VALUES ('apple'), ('pear')");
    }
  }

  @Test
  void driverManagerOpensWrappedConnections() throws SQLException {
    try (Connection c = db.connect()) {
      assertThat(c).isInstanceOf(TrickleConnection.class);
      assertThat(DriverManager.getDriver(db.trickleUrl())).isInstanceOf(TrickleDriver.class);
    }
  }

  @Test
  void plainQueriesUpdatesAndBatchesPassThrough() throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM item WHERE name <> 'pgtrickle'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isGreaterThanOrEqualTo(2);
      }
      assertThat(st.executeUpdate("UPDATE item SET name = name WHERE id <= 2")).isEqualTo(2);
      st.addBatch("INSERT INTO item (name) VALUES ('plum')");
      st.addBatch("DELETE FROM item WHERE name = 'plum'");
      assertThat(st.executeBatch()).containsExactly(1, 1);
    }
  }

  @Test
  void preparedPointQuery() throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement("SELECT name FROM item WHERE id = ?")) {
      ps.setInt(1, 1);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("apple");
        assertThat(rs.next()).isFalse();
      }
    }
  }

  @Test
  void callableFunctionEscape() throws SQLException {
    try (Connection c = db.connect();
        CallableStatement cs = c.prepareCall("{? = call upper(?)}")) {
      cs.registerOutParameter(1, Types.VARCHAR);
      cs.setString(2, "pear");
      cs.execute();
      assertThat(cs.getString(1)).isEqualTo("PEAR");
    }
  }

  @Test
  void generatedKeys() throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO item (name) VALUES (?)", Statement.RETURN_GENERATED_KEYS);
        Statement st = c.createStatement()) {
      ps.setString(1, "fig");
      assertThat(ps.executeUpdate()).isEqualTo(1);
      try (ResultSet keys = ps.getGeneratedKeys()) {
        assertThat(keys.next()).isTrue();
        assertThat(keys.getInt("id")).isPositive();
        assertThat(keys.getStatement()).isSameAs(ps);
      }
      st.executeUpdate("INSERT INTO item (name) VALUES ('kiwi')", new String[] {"id"});
      try (ResultSet keys = st.getGeneratedKeys()) {
        assertThat(keys.next()).isTrue();
        assertThat(keys.getStatement()).isSameAs(st);
      }
    }
  }

  @Test
  void commitAndRollbackWithAutocommitOff() throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.executeUpdate("INSERT INTO item (name) VALUES ('rolled back')");
      c.rollback();
      st.executeUpdate("INSERT INTO item (name) VALUES ('committed')");
      c.commit();
      c.setAutoCommit(true);
    }
    try (Connection plain = db.connectPlain();
        Statement st = plain.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT count(*) FILTER (WHERE name = 'rolled back'),"
                    + " count(*) FILTER (WHERE name = 'committed') FROM item")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isZero();
      assertThat(rs.getInt(2)).isEqualTo(1);
    }
  }

  @Test
  void unwrapReachesPgJdbc() throws SQLException {
    try (Connection c = db.connect()) {
      assertThat(c.isWrapperFor(PGConnection.class)).isTrue();
      PGConnection pg = c.unwrap(PGConnection.class);
      assertThat(pg).isNotInstanceOf(TrickleConnection.class);
      assertThat(pg.getBackendPID()).isPositive();
      assertThat(c.unwrap(Connection.class)).isSameAs(c);
      assertThat(c.unwrap(TrickleConnection.class)).isSameAs(c);
      assertThat(c.isWrapperFor(TrickleConnection.class)).isTrue();
    }
  }

  @Test
  void closeIsIdempotentAndReported() throws SQLException {
    Connection c = db.connect();
    Statement st = c.createStatement();
    assertThat(st.unwrap(PGStatement.class)).isInstanceOf(org.postgresql.jdbc.PgStatement.class);
    assertThat(st.isWrapperFor(PGStatement.class)).isTrue();
    assertThat(st.unwrap(Statement.class)).isSameAs(st);
    ResultSet rs = st.executeQuery("SELECT 1");
    assertThat(st.getResultSet()).isSameAs(rs);
    rs.close();
    rs.close();
    assertThat(rs.isClosed()).isTrue();
    st.close();
    st.close();
    assertThat(st.isClosed()).isTrue();
    assertThat(c.isClosed()).isFalse();
    c.close();
    c.close();
    assertThat(c.isClosed()).isTrue();
  }

  @Test
  void foreignUrlsAreLeftToOtherDrivers() throws SQLException {
    TrickleDriver driver = new TrickleDriver();
    assertThat(driver.connect(db.plainUrl(), db.appCredentials())).isNull();
    assertThat(driver.acceptsURL(db.plainUrl())).isFalse();
    assertThat(driver.acceptsURL("jdbc:mysql://localhost/x")).isFalse();
    assertThat(driver.acceptsURL(null)).isFalse();
    assertThat(driver.acceptsURL(db.trickleUrl())).isTrue();
  }

  @Test
  void badTrickleUrlsFailClearly() {
    TrickleDriver driver = new TrickleDriver();
    assertThatThrownBy(() -> driver.connect("jdbc:trickle:mysql://localhost/x", new Properties()))
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08001"))
        .hasMessageContaining("jdbc:trickle:postgresql:");
    assertThatThrownBy(
            () -> driver.connect("jdbc:trickle:postgresql://localhost:port/x", new Properties()))
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08001"))
        .hasMessageContaining("valid PgJDBC URL");
    assertThatThrownBy(() -> DriverManager.getConnection("jdbc:trickle:oracle:thin:@x"))
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08001"));
  }

  @Test
  void unknownOrBadTricklePropertiesAreRefused() {
    Properties typo = db.appCredentials();
    typo.setProperty("trickle.schedular", "false");
    assertThatThrownBy(() -> db.connect(typo))
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22023"))
        .hasMessageContaining("trickle.schedular")
        .hasMessageContaining("trickle.scheduler");
    String badValue = db.trickleUrl() + "?trickle.debug_plan=maybe";
    assertThatThrownBy(() -> DriverManager.getConnection(badValue, db.appCredentials()))
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22023"))
        .hasMessageContaining("trickle.debug_plan");
  }

  @Test
  void propertyInfoListsPgJdbcAndTrickleProperties() throws SQLException {
    DriverPropertyInfo[] info =
        new TrickleDriver().getPropertyInfo(db.trickleUrl() + "?trickle.scheduler=false", null);
    assertThat(Arrays.stream(info).map(p -> p.name))
        .contains("user", "password", "trickle.scheduler", "trickle.debug_plan");
    assertThat(Arrays.stream(info).filter(p -> p.name.equals("trickle.scheduler")).findFirst())
        .hasValueSatisfying(p -> assertThat(p.value).isEqualTo("false"));
  }

  @Test
  void serviceLoaderFindsTheDriver() {
    assertThat(ServiceLoader.load(Driver.class).stream().map(ServiceLoader.Provider::type))
        .contains(TrickleDriver.class);
  }

  @Test
  void registerAndDeregister() throws SQLException {
    assertThat(TrickleDriver.isRegistered()).isTrue();
    assertThatThrownBy(TrickleDriver::register).isInstanceOf(IllegalStateException.class);
    TrickleDriver.deregister();
    try {
      assertThat(TrickleDriver.isRegistered()).isFalse();
      assertThat(DriverManager.drivers()).noneMatch(d -> d instanceof TrickleDriver);
      assertThatThrownBy(TrickleDriver::deregister).isInstanceOf(IllegalStateException.class);
    } finally {
      TrickleDriver.register();
    }
    assertThat(TrickleDriver.isRegistered()).isTrue();
    assertThat(DriverManager.drivers()).anyMatch(d -> d instanceof TrickleDriver);
  }
}
