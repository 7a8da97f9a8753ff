package dev.trickle.rewriter.scan;

/**
 * Decides in one allocation-free pass whether SQL text can concern Trickle: true when, outside
 * string literals, comments and dollar-quoted bodies, it contains the word {@code pgtrickle} or
 * {@code pg_trickle} (also as a quoted identifier) or the words {@code STREAM TABLE}. False means
 * the statement certainly is not ours and goes to PostgreSQL untouched.
 */
public final class StatementScanner {
  private StatementScanner() {}

  /** True when {@code sql} may be a stream-table API statement. */
  public static boolean mayConcernTrickle(String sql) {
    int n = sql.length();
    int i = 0;
    boolean previousWordIsStream = false;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '"') {
        int end = SqlText.skipQuotedOrComment(sql, i);
        if (isTrickleSchema(sql, i + 1, end - 1)) {
          return true;
        }
        previousWordIsStream = false;
        i = end;
        continue;
      }
      int skipped = SqlText.skipQuotedOrComment(sql, i);
      if (skipped != i) {
        i = skipped;
        continue;
      }
      if (SqlText.isWordChar(c)) {
        int end = i + 1;
        while (end < n && SqlText.isWordChar(sql.charAt(end))) {
          end++;
        }
        if (isTrickleSchema(sql, i, end) || previousWordIsStream && isWord(sql, i, end, "table")) {
          return true;
        }
        previousWordIsStream = isWord(sql, i, end, "stream");
        i = end;
        continue;
      }
      if (!Character.isWhitespace(c)) {
        previousWordIsStream = false;
      }
      i++;
    }
    return false;
  }

  private static boolean isTrickleSchema(String sql, int start, int end) {
    return isWord(sql, start, end, "pgtrickle") || isWord(sql, start, end, "pg_trickle");
  }

  private static boolean isWord(String sql, int start, int end, String word) {
    return end - start == word.length() && sql.regionMatches(true, start, word, 0, word.length());
  }
}
