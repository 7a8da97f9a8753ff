package dev.trickle.rewriter.scan;

/**
 * Decides cheaply whether a statement can concern Trickle, so that every other statement goes to
 * PostgreSQL untouched. It sits on the path of every statement an application runs, so it reads the
 * text once, character by character, and allocates nothing.
 *
 * <p>A statement may concern Trickle when, outside strings, quoted identifiers other than the two
 * below, comments and dollar quotes, it contains the word {@code pgtrickle} or {@code pg_trickle}
 * (any case, as a whole word; or exactly as the quoted identifiers {@code "pgtrickle"} or {@code
 * "pg_trickle"}), or the keyword {@code STREAM} followed by {@code TABLE}. A yes is only a hint:
 * the {@code CommandRecognizer} makes the real decision.
 */
public final class StatementScanner {
  private StatementScanner() {}

  /** True when {@code sql} mentions the Trickle schema or extension, or {@code STREAM TABLE}. */
  public static boolean mayConcernTrickle(String sql) {
    if (!mentionsTrickleOrStream(sql)) {
      return false;
    }
    int n = sql.length();
    int i = 0;
    boolean afterStream = false;
    while (i < n) {
      char c = sql.charAt(i);
      if (SqlLexer.isSpace(c)) {
        i++;
        continue;
      }
      if (c == '-' && SqlLexer.isLineCommentStart(sql, i)) {
        i = SqlLexer.skipLineComment(sql, i);
        continue;
      }
      if (c == '/' && SqlLexer.isBlockCommentStart(sql, i)) {
        i = endOrLength(SqlLexer.skipBlockComment(sql, i), n);
        continue;
      }
      if (SqlLexer.isIdentifierStart(c)) {
        int end = SqlLexer.skipIdentifier(sql, i);
        if (end == i + 1 && (c == 'E' || c == 'e') && end < n && sql.charAt(end) == '\'') {
          i = endOrLength(SqlLexer.skipQuoted(sql, end, '\'', true), n);
          afterStream = false;
          continue;
        }
        if (isTrickleWord(sql, i, end)
            || (afterStream && SqlLexer.equalsWordIgnoreCase(sql, i, end, "table"))) {
          return true;
        }
        afterStream = SqlLexer.equalsWordIgnoreCase(sql, i, end, "stream");
        i = end;
        continue;
      }
      afterStream = false;
      if (c == '\'') {
        i = endOrLength(SqlLexer.skipQuoted(sql, i, '\'', false), n);
      } else if (c == '"') {
        int end = SqlLexer.skipQuoted(sql, i, '"', false);
        if (end != SqlLexer.UNTERMINATED && isQuotedTrickleName(sql, i + 1, end - 1)) {
          return true;
        }
        i = endOrLength(end, n);
      } else if (c == '$') {
        int delimiterEnd = SqlLexer.dollarDelimiterEnd(sql, i);
        i =
            delimiterEnd < 0
                ? i + 1
                : endOrLength(SqlLexer.skipDollarQuoted(sql, i, delimiterEnd), n);
      } else if (SqlLexer.isDigit(c)) {
        i = SqlLexer.skipIdentifier(sql, i);
      } else {
        i++;
      }
    }
    return false;
  }

  /**
   * The fast path for almost every statement: every positive answer needs the letters {@code
   * trickle} or {@code stream} somewhere (any case), so a text without them is rejected before any
   * lexing. {@link String#indexOf(int, int)} is vectorized by the JVM, so looking for a rare
   * letter of each word ({@code k}, {@code m}) and checking the word around it costs a fraction of
   * a character-by-character pass.
   */
  private static boolean mentionsTrickleOrStream(String sql) {
    return containsAround(sql, 'k', "trickle")
        || containsAround(sql, 'K', "trickle")
        || containsAround(sql, 'm', "stream")
        || containsAround(sql, 'M', "stream");
  }

  /** True when {@code word} (any case) occurs around an occurrence of its letter {@code anchor}. */
  private static boolean containsAround(String sql, char anchor, String word) {
    int back = word.indexOf(Character.toLowerCase(anchor));
    for (int i = sql.indexOf(anchor, back); i >= 0; i = sql.indexOf(anchor, i + 1)) {
      if (sql.regionMatches(true, i - back, word, 0, word.length())) {
        return true;
      }
    }
    return false;
  }

  private static boolean isTrickleWord(String sql, int start, int end) {
    return SqlLexer.equalsWordIgnoreCase(sql, start, end, "pgtrickle")
        || SqlLexer.equalsWordIgnoreCase(sql, start, end, "pg_trickle");
  }

  private static boolean isQuotedTrickleName(String sql, int start, int end) {
    int length = end - start;
    return (length == 9 && sql.startsWith("pgtrickle", start))
        || (length == 10 && sql.startsWith("pg_trickle", start));
  }

  private static int endOrLength(int end, int length) {
    return end == SqlLexer.UNTERMINATED ? length : end;
  }
}
