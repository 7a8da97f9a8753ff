package dev.trickle.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The wrappers' structure. The connection declares every method of {@link Connection} itself,
 * default methods included, so none silently falls back to an interface default that bypasses the
 * delegate. The other wrappers delegate through {@link Delegation}, which answers every interface
 * method, default ones included; there the risk is an interceptor method that intercepts nothing
 * (a parameter type that does not match), so every public method of an interceptor must be one of
 * its interface's.
 */
class WrapperDeclarationTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  static Stream<Arguments> interceptors() {
    return Stream.of(
        Arguments.of(TrickleStatement.class, Statement.class),
        Arguments.of(TricklePreparedStatement.class, PreparedStatement.class),
        Arguments.of(TricklePreparedStatement.class, CallableStatement.class),
        Arguments.of(TrickleDatabaseMetaData.class, DatabaseMetaData.class),
        Arguments.of(TrickleResultSet.class, ResultSet.class));
  }

  @Test
  void theConnectionDeclaresEveryInterfaceMethod() {
    List<String> missing = new ArrayList<>();
    for (Method method : Connection.class.getMethods()) {
      if (Modifier.isStatic(method.getModifiers())) {
        continue;
      }
      try {
        Method declared =
            TrickleConnection.class.getDeclaredMethod(method.getName(), method.getParameterTypes());
        assertThat(declared.isBridge()).as(declared.toString()).isFalse();
        assertThat(Modifier.isPublic(declared.getModifiers())).as(declared.toString()).isTrue();
      } catch (NoSuchMethodException e) {
        missing.add(method.toString());
      }
    }
    assertThat(missing).as("methods TrickleConnection inherits instead of declaring").isEmpty();
    assertThat(Arrays.stream(Connection.class.getMethods()).filter(Method::isDefault))
        .as("default methods are among those checked")
        .isNotEmpty();
  }

  @ParameterizedTest
  @MethodSource("interceptors")
  void everyPublicInterceptorMethodIsOneOfTheInterface(Class<?> interceptor, Class<?> api)
      throws NoSuchMethodException {
    assertThat(api.isAssignableFrom(interceptor))
        .as("an interceptor is not itself a %s, or it would intercept everything", api)
        .isFalse();
    List<String> strays = new ArrayList<>();
    for (Method method : interceptor.getMethods()) {
      if (method.getDeclaringClass() == Object.class
          || Modifier.isStatic(method.getModifiers())
          || isObserverMethod(method)) {
        continue;
      }
      try {
        api.getMethod(method.getName(), method.getParameterTypes());
      } catch (NoSuchMethodException e) {
        strays.add(method.toString());
      }
    }
    assertThat(strays).as("public methods of %s that intercept nothing", interceptor).isEmpty();
  }

  private static boolean isObserverMethod(Method method) {
    return Arrays.stream(Delegation.Observer.class.getMethods())
        .anyMatch(
            m ->
                m.getName().equals(method.getName())
                    && Arrays.equals(m.getParameterTypes(), method.getParameterTypes()));
  }

  /** Methods that wrappers forgot in the past: JDBC 4.2 and 4.3 defaults reach PgJDBC. */
  @Test
  void classicWrapperBugsAreCovered() throws SQLException, NoSuchMethodException {
    assertThat(TrickleConnection.class.getDeclaredMethod("beginRequest")).isNotNull();
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      assertThat(st.enquoteIdentifier("a b", false)).isEqualTo("\"a b\"");
      assertThat(st.executeLargeUpdate("CREATE TEMP TABLE t (id int)")).isZero();
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (1), (2)")) {
        assertThat(ps.executeLargeUpdate())
            .as("PgJDBC's count, not the interface default's refusal")
            .isEqualTo(2);
      }
    }
  }
}
