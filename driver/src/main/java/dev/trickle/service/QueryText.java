package dev.trickle.service;

import dev.trickle.catalog.SqlState;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;

/**
 * A defining query as the user wrote it, checked to be a single query (SELECT, WITH, VALUES or
 * TABLE) and with trailing semicolons and comments removed, so that it can be embedded in
 * generated statements ({@code CREATE VIEW ... AS <query>}, {@code CREATE TEMP TABLE ... AS
 * <query>}). The scan understands quotes, quoted identifiers, dollar quoting and comments; whether
 * the query is valid SQL is left to PostgreSQL, except that a text whose first word starts no
 * statement at all ({@code SELEC}) is the syntax error PostgreSQL would report (42601).
 *
 * @param text the query text, trimmed, without trailing semicolons
 */
record QueryText(String text) {
  private static final Set<String> QUERY_KEYWORDS = Set.of("select", "with", "values", "table");

  /**
   * Words that start PostgreSQL statements other than queries: such a text is a statement, just not
   * a query (22023). Any other first word is a syntax error (42601), as PostgreSQL would report it.
   */
  private static final Set<String> STATEMENT_KEYWORDS =
      Set.of(
          "abort", "alter", "analyze", "analyse", "begin", "call", "checkpoint", "close", "cluster",
          "comment", "commit", "copy", "create", "deallocate", "declare", "delete", "discard", "do",
          "drop", "end", "execute", "explain", "fetch", "grant", "import", "insert", "listen",
          "load", "lock", "merge", "move", "notify", "prepare", "reassign", "refresh", "reindex",
          "release", "reset", "revoke", "rollback", "savepoint", "security", "set", "show", "start",
          "truncate", "unlisten", "update", "vacuum");

  /** Checks {@code raw}, the defining query of {@code streamTable} (for messages). */
  static QueryText of(String raw, String streamTable) throws SQLException {
    if (raw == null || raw.isBlank()) {
      throw SqlState.INVALID_PARAMETER.exception(
          "the defining query of stream table " + streamTable + " is empty; give a SELECT query");
    }
    int end = raw.length();
    int i = 0;
    int firstSemicolon = -1;
    while (i < raw.length()) {
      char ch = raw.charAt(i);
      int next = skipToken(raw, i);
      if (next > i) {
        i = next;
        continue;
      }
      if (ch == ';') {
        if (firstSemicolon < 0) {
          firstSemicolon = i;
          end = i;
        }
      } else if (firstSemicolon >= 0 && !Character.isWhitespace(ch)) {
        throw SqlState.SYNTAX.exception(
            "the defining query of stream table "
                + streamTable
                + " contains more than one statement (a semicolon at position "
                + (firstSemicolon + 1)
                + " ends the first); give exactly one query");
      }
      i++;
    }
    String text = raw.substring(0, end).strip();
    int start = keywordStart(text);
    String word = text.substring(start, wordEnd(text, start));
    String keyword = word.toLowerCase(Locale.ROOT);
    if (!keyword.isEmpty()
        && !QUERY_KEYWORDS.contains(keyword)
        && !STATEMENT_KEYWORDS.contains(keyword)) {
      int position = raw.indexOf(text) + start + 1;
      throw SqlState.SYNTAX.exception(
          "syntax error at or near \"" + word + "\" at position " + position
              + " of the defining query of stream table " + streamTable
              + "; a query starts with SELECT, WITH, VALUES or TABLE");
    }
    if (!QUERY_KEYWORDS.contains(keyword)) {
      throw SqlState.INVALID_PARAMETER.exception(
          "the defining query of stream table "
              + streamTable
              + " must be a query (SELECT, WITH, VALUES or TABLE), not "
              + (keyword.isEmpty() ? "an empty statement" : keyword.toUpperCase(Locale.ROOT)));
    }
    return new QueryText(text);
  }

  /** Where the first word of the query starts, after comments and opening parentheses. */
  private static int keywordStart(String text) {
    int i = 0;
    while (i < text.length()) {
      char ch = text.charAt(i);
      if (Character.isWhitespace(ch) || ch == '(') {
        i++;
      } else if (text.startsWith("--", i) || text.startsWith("/*", i)) {
        i = skipToken(text, i);
      } else {
        break;
      }
    }
    return i;
  }

  private static int wordEnd(String text, int start) {
    int i = start;
    while (i < text.length() && Character.isLetter(text.charAt(i))) {
      i++;
    }
    return i;
  }

  /**
   * The index after the quoted string, quoted identifier, dollar-quoted string or comment that
   * starts at {@code i}, or {@code i} when none starts there. Unterminated ones run to the end
   * (PostgreSQL reports them).
   */
  private static int skipToken(String s, int i) {
    char ch = s.charAt(i);
    if (ch == '\'') {
      boolean backslashes = i > 0 && (s.charAt(i - 1) == 'E' || s.charAt(i - 1) == 'e');
      return skipQuoted(s, i + 1, '\'', backslashes);
    }
    if (ch == '"') {
      return skipQuoted(s, i + 1, '"', false);
    }
    if (s.startsWith("--", i)) {
      int newline = s.indexOf('\n', i);
      return newline < 0 ? s.length() : newline + 1;
    }
    if (s.startsWith("/*", i)) {
      int depth = 0;
      int j = i;
      while (j < s.length()) {
        if (s.startsWith("/*", j)) {
          depth++;
          j += 2;
        } else if (s.startsWith("*/", j)) {
          depth--;
          j += 2;
          if (depth == 0) {
            return j;
          }
        } else {
          j++;
        }
      }
      return s.length();
    }
    if (ch == '$' && (i == 0 || !isIdentifierPart(s.charAt(i - 1)))) {
      int j = i + 1;
      while (j < s.length() && isIdentifierPart(s.charAt(j)) && s.charAt(j) != '$') {
        j++;
      }
      boolean tagStartsRight = j == i + 1 || !Character.isDigit(s.charAt(i + 1));
      if (j < s.length() && s.charAt(j) == '$' && tagStartsRight) {
        String tag = s.substring(i, j + 1);
        int close = s.indexOf(tag, j + 1);
        return close < 0 ? s.length() : close + tag.length();
      }
    }
    return i;
  }

  private static int skipQuoted(String s, int i, char quote, boolean backslashes) {
    while (i < s.length()) {
      char ch = s.charAt(i);
      if (backslashes && ch == '\\') {
        i += 2;
      } else if (ch == quote) {
        if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return s.length();
  }

  private static boolean isIdentifierPart(char ch) {
    return Character.isLetterOrDigit(ch) || ch == '_' || ch == '$' || ch >= 0x80;
  }
}
