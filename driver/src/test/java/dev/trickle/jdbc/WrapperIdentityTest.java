package dev.trickle.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.testing.PostgresFixture;
import dev.trickle.testing.TestDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The wrappers never hand out a raw PgJDBC connection, statement, result set or metadata object:
 * every method returning one of those types is called (found by reflection, so a new one cannot be
 * missed) and must return null or a Trickle wrapper, and walking back from it must reach the same
 * Trickle connection.
 */
class WrapperIdentityTest {
  @RegisterExtension static final TestDatabase db = PostgresFixture.newDatabase();

  private static final Set<Class<?>> JDBC_OBJECTS =
      Set.of(
          Connection.class,
          Statement.class,
          PreparedStatement.class,
          CallableStatement.class,
          ResultSet.class,
          DatabaseMetaData.class);

  private static final String QUERY = "SELECT 1 AS a";

  @Test
  void noMethodReturnsARawDelegate() throws Exception {
    try (Connection c = db.connect()) {
      List<Object> returned = new ArrayList<>();
      callEveryJdbcObjectMethod(c, c, returned);
      try (Statement st = c.createStatement()) {
        st.execute(QUERY);
        callEveryJdbcObjectMethod(c, st, returned);
        callEveryJdbcObjectMethod(c, st.getResultSet(), returned);
      }
      try (PreparedStatement ps = c.prepareStatement(QUERY)) {
        ps.execute();
        callEveryJdbcObjectMethod(c, ps, returned);
      }
      try (CallableStatement cs = c.prepareCall(QUERY)) {
        cs.execute();
        callEveryJdbcObjectMethod(c, cs, returned);
      }
      callEveryJdbcObjectMethod(c, c.getMetaData(), returned);

      assertThat(returned).isNotEmpty().allSatisfy(o -> assertIsWrapperOf(c, o));
      assertThat(returned)
          .filteredOn(ResultSet.class::isInstance)
          .as("metadata and statement result sets were among those checked")
          .hasSizeGreaterThan(20);
    }
  }

  private static void assertIsWrapperOf(Connection connection, Object o) {
    assertThat(
            o instanceof TrickleConnection
                || Proxy.isProxyClass(o.getClass())
                    && Proxy.getInvocationHandler(o) instanceof Delegation)
        .as("%s is a Trickle wrapper", o)
        .isTrue();
    try {
      if (o instanceof Statement s) {
        assertThat(s.getConnection()).isSameAs(connection);
      } else if (o instanceof ResultSet rs && rs.getStatement() != null) {
        assertThat(rs.getStatement().getConnection()).isSameAs(connection);
      } else if (o instanceof DatabaseMetaData md) {
        assertThat(md.getConnection()).isSameAs(connection);
      }
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  /** Calls each public method of {@code target} whose return type is a JDBC object type. */
  private static void callEveryJdbcObjectMethod(Connection c, Object target, List<Object> returned)
      throws IllegalAccessException {
    for (Method method : target.getClass().getMethods()) {
      if (!JDBC_OBJECTS.contains(method.getReturnType())) {
        continue;
      }
      Object result;
      try {
        result = method.invoke(target, arguments(target, method));
      } catch (InvocationTargetException e) {
        assertThat(e.getCause()).as(method.toString()).isInstanceOf(SQLException.class);
        continue;
      }
      if (result != null) {
        returned.add(result);
      }
    }
  }

  /**
   * Plausible arguments: SQL text for connections and statements, null patterns for metadata, and
   * the usual result-set type, concurrency and holdability (or "no generated keys").
   */
  private static Object[] arguments(Object target, Method method) {
    Class<?>[] types = method.getParameterTypes();
    long ints = List.of(types).stream().filter(int.class::equals).count();
    int[] intValues =
        ints == 1
            ? new int[] {Statement.NO_GENERATED_KEYS}
            : new int[] {
              ResultSet.TYPE_FORWARD_ONLY,
              ResultSet.CONCUR_READ_ONLY,
              ResultSet.CLOSE_CURSORS_AT_COMMIT
            };
    boolean metadata = target instanceof DatabaseMetaData;
    Object[] args = new Object[types.length];
    int nextInt = 0;
    for (int i = 0; i < types.length; i++) {
      if (types[i] == String.class) {
        args[i] = metadata ? null : QUERY;
      } else if (types[i] == int.class) {
        args[i] = metadata ? 0 : intValues[nextInt++];
      } else if (types[i] == boolean.class) {
        args[i] = false;
      } else if (types[i] == int[].class) {
        args[i] = new int[] {1};
      } else if (types[i] == String[].class) {
        args[i] = metadata ? null : new String[] {"a"};
      }
    }
    return args;
  }
}
