package dev.trickle.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One transaction of a writer session in the IMMEDIATE concurrency tests, retried after a
 * serialization failure ({@code 40001}, an accepted answer outside READ COMMITTED) until it commits;
 * every failure is counted by SQLSTATE, and anything but {@code 40001} propagates.
 */
public final class RetriedTransaction {
  private RetriedTransaction() {}

  /**
   * Runs {@code statements} on {@code c}: one autocommit statement, or with {@code block} a
   * transaction block of them all (left in manual commit mode), committed.
   */
  public static void run(
      Connection c, List<String> statements, boolean block, Map<String, AtomicLong> failures)
      throws SQLException {
    while (true) {
      c.setAutoCommit(!block);
      try (Statement st = c.createStatement()) {
        for (String statement : statements) {
          st.execute(statement);
        }
        if (block) {
          c.commit();
        }
        return;
      } catch (SQLException e) {
        if (block) {
          c.rollback();
        }
        failures.computeIfAbsent(String.valueOf(e.getSQLState()), k -> new AtomicLong())
            .incrementAndGet();
        if (!"40001".equals(e.getSQLState())) {
          throw e;
        }
      }
    }
  }
}
