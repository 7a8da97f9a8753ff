package dev.trickle.jdbc;

/**
 * Counts the JDBC {@code ?} placeholders of a statement as PgJDBC does: outside {@code '...'}
 * literals (backslash escapes in {@code E'...'}), {@code "..."} identifiers, {@code $tag$} bodies
 * and comments, with {@code ??} standing for a literal question mark.
 */
final class Placeholders {
  private Placeholders() {}

  static int count(String sql) {
    int n = sql.length();
    int count = 0;
    int i = 0;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'') {
        i = endOfQuote(sql, i + 1, '\'', isEscapeString(sql, i));
      } else if (c == '"') {
        i = endOfQuote(sql, i + 1, '"', false);
      } else if (c == '-' && sql.startsWith("--", i)) {
        int newline = sql.indexOf('\n', i);
        i = newline < 0 ? n : newline + 1;
      } else if (c == '/' && sql.startsWith("/*", i)) {
        i = endOfBlockComment(sql, i + 2);
      } else if (c == '$' && isDollarQuoteStart(sql, i)) {
        int tagEnd = sql.indexOf('$', i + 1) + 1;
        int close = sql.indexOf(sql.substring(i, tagEnd), tagEnd);
        i = close < 0 ? n : close + tagEnd - i;
      } else if (c == '?') {
        if (i + 1 < n && sql.charAt(i + 1) == '?') {
          i += 2;
        } else {
          count++;
          i++;
        }
      } else {
        i++;
      }
    }
    return count;
  }

  private static boolean isEscapeString(String sql, int quote) {
    return quote > 0
        && Character.toUpperCase(sql.charAt(quote - 1)) == 'E'
        && (quote == 1 || !isWordChar(sql.charAt(quote - 2)));
  }

  private static int endOfQuote(String sql, int i, char quote, boolean backslashEscapes) {
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (backslashEscapes && c == '\\') {
        i += 2;
      } else if (c == quote) {
        if (i + 1 < n && sql.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return n;
  }

  private static int endOfBlockComment(String sql, int i) {
    int depth = 1;
    while (i < sql.length() && depth > 0) {
      if (sql.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (sql.startsWith("*/", i)) {
        depth--;
        i += 2;
      } else {
        i++;
      }
    }
    return i;
  }

  private static boolean isDollarQuoteStart(String sql, int i) {
    if (i > 0 && isWordChar(sql.charAt(i - 1))) {
      return false;
    }
    int j = i + 1;
    if (j < sql.length() && Character.isDigit(sql.charAt(j))) {
      return false;
    }
    while (j < sql.length() && sql.charAt(j) != '$') {
      if (!isWordChar(sql.charAt(j))) {
        return false;
      }
      j++;
    }
    return j < sql.length();
  }

  private static boolean isWordChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }
}
