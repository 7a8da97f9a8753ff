package dev.trickle.rewriter.scan;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a script into statements at the semicolons that lie outside literals, comments and
 * dollar-quoted bodies. Statements come back trimmed, without their {@code ;}; blank ones are
 * dropped.
 */
public final class StatementSplitter {
  private StatementSplitter() {}

  /** The statements of {@code script} in order. */
  public static List<String> split(String script) {
    List<String> statements = new ArrayList<>();
    int n = script.length();
    int start = 0;
    int i = 0;
    while (i < n) {
      int skipped = SqlText.skipQuotedOrComment(script, i);
      if (skipped != i) {
        i = skipped;
      } else if (script.charAt(i) == ';') {
        addIfNotBlank(statements, script.substring(start, i));
        start = ++i;
      } else {
        i++;
      }
    }
    addIfNotBlank(statements, script.substring(start));
    return statements;
  }

  private static void addIfNotBlank(List<String> statements, String statement) {
    String trimmed = statement.strip();
    if (!trimmed.isEmpty()) {
      statements.add(trimmed);
    }
  }
}
