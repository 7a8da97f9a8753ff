package dev.trickle.jdbc;

import dev.trickle.catalog.SqlState;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * The driver's one error boundary: whatever Trickle code a call from the application reaches
 * (scanner, recognizers, stream-table service, delta compiler, refresh engine, the scheduler start
 * made for the application), an unexpected exception leaves it as an {@link SQLException} with
 * SQLSTATE XX000, a message naming the part that failed and the statement, and the exception
 * attached as the cause. Pools, ORMs and frameworks expect nothing else from a JDBC driver (a pool
 * may discard a connection that threw a {@code RuntimeException}). Every command already rolled
 * its work back on the way out (its transaction or savepoint undoes anything, see the service), so
 * the connection stays usable and the catalog unchanged. A {@link VirtualMachineError} (out of
 * memory, stack overflow) is not caught: nothing can be promised after it.
 */
final class ErrorBoundary {
  /** Longest statement text quoted in the message. */
  static final int QUOTED_CHARS = 200;

  /** The part of Trickle a failing class belongs to, by package. */
  private static final List<Map.Entry<String, String>> PARTS =
      List.of(
          Map.entry("dev.trickle.rewriter.scan.", "statement scanner"),
          Map.entry("dev.trickle.rewriter.", "statement recognizer"),
          Map.entry("dev.trickle.ivm.", "delta compiler"),
          Map.entry("dev.trickle.immediate.", "IMMEDIATE trigger compiler"),
          Map.entry("dev.trickle.compile.", "delta compiler"),
          Map.entry("dev.trickle.refresh.", "refresh engine"),
          Map.entry("dev.trickle.scheduler.", "scheduler"),
          Map.entry("dev.trickle.capture.", "change capture"),
          Map.entry("dev.trickle.catalog.", "catalog"),
          Map.entry("dev.trickle.service.", "stream-table service"),
          Map.entry("dev.trickle.jdbc.", "JDBC wrapper"));

  /** A call into Trickle that reports failures as {@link SQLException}s. */
  @FunctionalInterface
  interface Call<T> {
    T call() throws SQLException;
  }

  private ErrorBoundary() {}

  /** Runs {@code call} for statement {@code sql}, turning an unexpected exception into XX000. */
  static <T> T guard(String sql, Call<T> call) throws SQLException {
    try {
      return call.call();
    } catch (RuntimeException | Error e) {
      throw internal(sql, e);
    }
  }

  /**
   * The XX000 exception for {@code cause}, met while running {@code sql}; a {@link
   * VirtualMachineError} is thrown as it is.
   */
  static SQLException internal(String sql, Throwable cause) {
    if (cause instanceof VirtualMachineError fatal) {
      throw fatal;
    }
    String statement =
        sql == null
            ? "(no statement)"
            : sql.length() <= QUOTED_CHARS ? sql : sql.substring(0, QUOTED_CHARS) + "...";
    return SqlState.INTERNAL.exception(
        "internal error in Trickle's "
            + partOf(cause)
            + " ("
            + cause
            + ") while running: "
            + statement
            + "; nothing was changed and the connection is usable; please report this with the"
            + " statement",
        cause);
  }

  /** The part of Trickle whose code threw {@code cause}, from its stack. */
  static String partOf(Throwable cause) {
    for (StackTraceElement frame : cause.getStackTrace()) {
      for (Map.Entry<String, String> part : PARTS) {
        if (frame.getClassName().startsWith(part.getKey())) {
          return part.getValue();
        }
      }
    }
    return "driver";
  }
}
