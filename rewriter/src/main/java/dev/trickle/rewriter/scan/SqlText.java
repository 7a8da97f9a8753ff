package dev.trickle.rewriter.scan;

/**
 * Where the quoted parts and comments of SQL text end, so scanners can skip them. Knows {@code
 * '...'} literals (with {@code E'...'} backslash escapes), {@code "..."} identifiers, {@code
 * $tag$...$tag$} bodies, {@code --} line comments and nested {@code /* *}{@code /} comments.
 */
public final class SqlText {
  private SqlText() {}

  /**
   * The index just past the quoted part or comment starting at {@code i}, or {@code i} when none
   * starts there. Unterminated parts run to the end of the text.
   */
  public static int skipQuotedOrComment(CharSequence sql, int i) {
    int n = sql.length();
    char c = sql.charAt(i);
    if (c == '\'') {
      boolean backslashEscapes =
          i > 0
              && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
              && (i == 1 || !isWordChar(sql.charAt(i - 2)));
      return endOfQuote(sql, i + 1, '\'', backslashEscapes);
    }
    if (c == '"') {
      return endOfQuote(sql, i + 1, '"', false);
    }
    if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
      int j = i + 2;
      while (j < n && sql.charAt(j) != '\n' && sql.charAt(j) != '\r') {
        j++;
      }
      return j;
    }
    if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
      return endOfBlockComment(sql, i + 2);
    }
    if (c == '$') {
      return endOfDollarQuote(sql, i);
    }
    return i;
  }

  /** True for characters that may continue an unquoted identifier or keyword. */
  public static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }

  private static int endOfQuote(CharSequence sql, int j, char quote, boolean backslashEscapes) {
    int n = sql.length();
    while (j < n) {
      char c = sql.charAt(j);
      if (backslashEscapes && c == '\\') {
        j += 2;
      } else if (c == quote) {
        if (j + 1 < n && sql.charAt(j + 1) == quote) {
          j += 2;
        } else {
          return j + 1;
        }
      } else {
        j++;
      }
    }
    return n;
  }

  private static int endOfBlockComment(CharSequence sql, int j) {
    int n = sql.length();
    int depth = 1;
    while (j < n && depth > 0) {
      if (sql.charAt(j) == '/' && j + 1 < n && sql.charAt(j + 1) == '*') {
        depth++;
        j += 2;
      } else if (sql.charAt(j) == '*' && j + 1 < n && sql.charAt(j + 1) == '/') {
        depth--;
        j += 2;
      } else {
        j++;
      }
    }
    return j;
  }

  private static int endOfDollarQuote(CharSequence sql, int start) {
    int n = sql.length();
    if (start > 0 && isWordChar(sql.charAt(start - 1))) {
      return start;
    }
    int j = start + 1;
    if (j < n && Character.isDigit(sql.charAt(j))) {
      return start;
    }
    while (j < n && sql.charAt(j) != '$') {
      if (!isWordChar(sql.charAt(j))) {
        return start;
      }
      j++;
    }
    if (j >= n) {
      return start;
    }
    int tagLength = j - start + 1;
    for (int k = j + 1; k + tagLength <= n; k++) {
      if (sql.charAt(k) == '$' && regionEquals(sql, k, start, tagLength)) {
        return k + tagLength;
      }
    }
    return n;
  }

  private static boolean regionEquals(CharSequence sql, int a, int b, int length) {
    for (int k = 0; k < length; k++) {
      if (sql.charAt(a + k) != sql.charAt(b + k)) {
        return false;
      }
    }
    return true;
  }
}
