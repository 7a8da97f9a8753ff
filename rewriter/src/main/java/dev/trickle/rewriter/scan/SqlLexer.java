package dev.trickle.rewriter.scan;

/**
 * PostgreSQL's lexical rules for the parts of SQL text that hide code: quoted strings, quoted
 * identifiers, comments and dollar quotes. Each method starts at a position and returns where the
 * construct ends, without allocating, so that the scanner, the splitter and the tokenizer agree on
 * what is code and what is not.
 *
 * <p>The rules follow PostgreSQL's {@code scan.l} with {@code standard_conforming_strings = on}
 * (the default since 9.1): backslashes escape only inside {@code E'...'}, block comments nest,
 * identifiers may contain {@code $} after their first character (so a dollar quote cannot start
 * inside one), and every non-ASCII character counts as a letter.
 */
final class SqlLexer {
  /** Returned by the skip methods when the construct runs unterminated to the end of the text. */
  static final int UNTERMINATED = -1;

  private SqlLexer() {}

  /** PostgreSQL whitespace: space, tab, newline, carriage return, form feed, vertical tab. */
  static boolean isSpace(char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\u000B';
  }

  /** A character that can start an unquoted identifier or keyword. */
  static boolean isIdentifierStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
  }

  /**
   * A character that can continue an unquoted identifier: a start character, digit or {@code $}.
   */
  static boolean isIdentifierPart(char c) {
    return isIdentifierStart(c) || (c >= '0' && c <= '9') || c == '$';
  }

  /** An ASCII digit. */
  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** The end of the identifier (or keyword) whose first character is at {@code start}. */
  static int skipIdentifier(String sql, int start) {
    int i = start + 1;
    int n = sql.length();
    while (i < n && isIdentifierPart(sql.charAt(i))) {
      i++;
    }
    return i;
  }

  /**
   * The end of a quoted string or identifier whose opening {@code quote} is at {@code start}: the
   * quote doubled stands for itself, and with {@code backslashEscapes} (an {@code E'...'} string) a
   * backslash escapes the next character.
   *
   * @return the index after the closing quote, or {@link #UNTERMINATED}
   */
  static int skipQuoted(String sql, int start, char quote, boolean backslashEscapes) {
    int n = sql.length();
    int i = start + 1;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == quote) {
        if (i + 1 < n && sql.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i += (backslashEscapes && c == '\\') ? 2 : 1;
    }
    return UNTERMINATED;
  }

  /** True when a {@code --} line comment starts at {@code i}. */
  static boolean isLineCommentStart(String sql, int i) {
    return sql.charAt(i) == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-';
  }

  /** True when a {@code /*} block comment starts at {@code i}. */
  static boolean isBlockCommentStart(String sql, int i) {
    return sql.charAt(i) == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*';
  }

  /**
   * The index of the line break (or end of text) ending the line comment that starts at {@code
   * start}.
   */
  static int skipLineComment(String sql, int start) {
    int n = sql.length();
    int i = start + 2;
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\n' || c == '\r') {
        return i;
      }
      i++;
    }
    return n;
  }

  /**
   * The end of the block comment starting at {@code start}, honouring nested {@code /* ... *}{@code
   * /} pairs.
   *
   * @return the index after the final {@code *}{@code /}, or {@link #UNTERMINATED}
   */
  static int skipBlockComment(String sql, int start) {
    int n = sql.length();
    int depth = 1;
    int i = start + 2;
    while (i < n - 1) {
      char c = sql.charAt(i);
      char next = sql.charAt(i + 1);
      if (c == '/' && next == '*') {
        depth++;
        i += 2;
      } else if (c == '*' && next == '/') {
        i += 2;
        if (--depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return UNTERMINATED;
  }

  /**
   * The index of the next character that is neither whitespace nor inside a comment (the length of
   * the text when none is left, also after an unterminated block comment).
   */
  static int skipSpaceAndComments(String sql, int start) {
    int n = sql.length();
    int i = start;
    while (i < n) {
      char c = sql.charAt(i);
      if (isSpace(c)) {
        i++;
      } else if (c == '-' && isLineCommentStart(sql, i)) {
        i = skipLineComment(sql, i);
      } else if (c == '/' && isBlockCommentStart(sql, i)) {
        int end = skipBlockComment(sql, i);
        if (end == UNTERMINATED) {
          return n;
        }
        i = end;
      } else {
        return i;
      }
    }
    return n;
  }

  /**
   * When the {@code $} at {@code start} opens a dollar quote ({@code $$} or {@code $tag$}, the tag
   * made of letters, digits and underscores and not starting with a digit), the index after its
   * opening delimiter; otherwise -1 (for example a {@code $1} parameter).
   */
  static int dollarDelimiterEnd(String sql, int start) {
    int n = sql.length();
    int i = start + 1;
    if (i < n && isIdentifierStart(sql.charAt(i))) {
      i++;
      while (i < n && (isIdentifierStart(sql.charAt(i)) || isDigit(sql.charAt(i)))) {
        i++;
      }
    }
    return i < n && sql.charAt(i) == '$' ? i + 1 : -1;
  }

  /**
   * The end of the dollar-quoted string whose opening delimiter spans {@code start} to {@code
   * delimiterEnd} (see {@link #dollarDelimiterEnd}): the body ends at the first repetition of the
   * same delimiter, case-sensitively.
   *
   * @return the index after the closing delimiter, or {@link #UNTERMINATED}
   */
  static int skipDollarQuoted(String sql, int start, int delimiterEnd) {
    int length = delimiterEnd - start;
    int last = sql.length() - length;
    int i = sql.indexOf('$', delimiterEnd);
    while (i >= 0 && i <= last) {
      if (sql.regionMatches(i, sql, start, length)) {
        return i + length;
      }
      i = sql.indexOf('$', i + 1);
    }
    return UNTERMINATED;
  }

  /**
   * True when {@code sql[start, end)} equals {@code lowerWord} ignoring ASCII case, as PostgreSQL
   * compares keywords. {@code lowerWord} must be lower case.
   */
  static boolean equalsWordIgnoreCase(String sql, int start, int end, String lowerWord) {
    int length = lowerWord.length();
    if (end - start != length) {
      return false;
    }
    for (int k = 0; k < length; k++) {
      char c = sql.charAt(start + k);
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + ('a' - 'A'));
      }
      if (c != lowerWord.charAt(k)) {
        return false;
      }
    }
    return true;
  }
}
