package dev.trickle.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every wrapper declares every method of its JDBC interface itself, default methods included, so
 * none silently falls back to an interface default that bypasses the delegate.
 */
class WrapperDeclarationTest {
  static Stream<Arguments> wrappers() {
    return Stream.of(
        Arguments.of(TrickleConnection.class, Connection.class),
        Arguments.of(TrickleStatement.class, Statement.class),
        Arguments.of(TricklePreparedStatement.class, PreparedStatement.class),
        Arguments.of(TrickleCallableStatement.class, CallableStatement.class),
        Arguments.of(TrickleDatabaseMetaData.class, DatabaseMetaData.class),
        Arguments.of(TrickleResultSet.class, ResultSet.class));
  }

  @ParameterizedTest
  @MethodSource("wrappers")
  void declaresEveryInterfaceMethod(Class<?> wrapper, Class<?> jdbcInterface) {
    assertThat(wrapper).isAssignableTo(jdbcInterface);
    List<String> missing = new ArrayList<>();
    for (Method method : jdbcInterface.getMethods()) {
      if (Modifier.isStatic(method.getModifiers())) {
        continue;
      }
      try {
        Method declared = wrapper.getDeclaredMethod(method.getName(), method.getParameterTypes());
        assertThat(declared.isBridge()).as(declared.toString()).isFalse();
        assertThat(Modifier.isPublic(declared.getModifiers())).as(declared.toString()).isTrue();
      } catch (NoSuchMethodException e) {
        missing.add(method.toString());
      }
    }
    assertThat(missing)
        .as("methods %s inherits instead of declaring", wrapper.getSimpleName())
        .isEmpty();
    assertThat(Arrays.stream(jdbcInterface.getMethods()).filter(Method::isDefault))
        .as("default methods are among those checked")
        .isNotEmpty();
  }

  @ParameterizedTest
  @MethodSource("wrappers")
  void isAFinalClassHoldingItsDelegate(Class<?> wrapper, Class<?> jdbcInterface)
      throws NoSuchFieldException {
    assertThat(Modifier.isFinal(wrapper.getModifiers())).isTrue();
    Field delegate = wrapper.getDeclaredField("delegate");
    assertThat(delegate.getType()).isEqualTo(jdbcInterface);
  }

  @Test
  void classicWrapperBugsAreCovered() throws NoSuchMethodException {
    assertThat(TrickleStatement.class.getDeclaredMethod("executeLargeUpdate", String.class))
        .isNotNull();
    assertThat(
            TrickleStatement.class.getDeclaredMethod(
                "enquoteIdentifier", String.class, boolean.class))
        .isNotNull();
    assertThat(TrickleConnection.class.getDeclaredMethod("beginRequest")).isNotNull();
    assertThat(TricklePreparedStatement.class.getDeclaredMethod("executeLargeUpdate")).isNotNull();
  }
}
