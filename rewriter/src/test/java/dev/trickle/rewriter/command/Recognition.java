package dev.trickle.rewriter.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.trickle.rewriter.scan.StatementScanner;
import java.util.LinkedHashMap;
import java.util.Map;

/** Shorthands for the recognizer tests. */
final class Recognition {
  private Recognition() {}

  /** The command {@code sql} is recognized as; fails the test when it is not recognized. */
  static TrickleCommand command(String sql) throws RecognitionException {
    return command(sql, ParameterValues.NONE);
  }

  static TrickleCommand command(String sql, ParameterValues params) throws RecognitionException {
    TrickleCommand command =
        CommandRecognizer.recognize(sql, params)
            .orElseThrow(() -> new AssertionError("not recognized: " + sql));
    assertScannerFlags(sql);
    return command;
  }

  /** True when {@code sql} is passed through to the server. */
  static boolean passesThrough(String sql) throws RecognitionException {
    return CommandRecognizer.recognize(sql, ParameterValues.NONE).isEmpty();
  }

  /** The refusal of {@code sql}, after checking its SQLState. */
  static RecognitionException refusal(String sql, String sqlState) {
    RecognitionException e =
        catchThrowableOfType(
            RecognitionException.class,
            () -> CommandRecognizer.recognize(sql, ParameterValues.NONE));
    assertThat(e).as("refusal of %s", sql).isNotNull();
    assertThat(e.getSqlState()).as("SQLState of: %s", e.getMessage()).isEqualTo(sqlState);
    assertScannerFlags(sql);
    return e;
  }

  /** Whatever the recognizer accepts or refuses must get past the scanner to reach it. */
  private static void assertScannerFlags(String sql) {
    assertThat(StatementScanner.mayConcernTrickle(sql)).as("scanner flags %s", sql).isTrue();
  }

  /** Options from alternating names and values. */
  static StreamTableOptions options(String... namesAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return StreamTableOptions.of(map);
  }
}
