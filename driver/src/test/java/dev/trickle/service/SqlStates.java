package dev.trickle.service;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Asserts that a call fails with a given SQLState and message fragments. */
final class SqlStates {
  private SqlStates() {}

  static void assertFails(ThrowingCallable call, String sqlState, String... messageParts) {
    assertThatThrownBy(call)
        .isInstanceOf(SQLException.class)
        .hasMessageContainingAll(messageParts)
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo(sqlState);
  }
}
