package dev.trickle.rewriter.scan;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a SQL script into statements at top-level semicolons, the way psql does: a semicolon
 * inside a string ({@code '...'}, {@code E'...'}), a quoted identifier, a comment ({@code --},
 * nested {@code /* *}{@code /}), a dollar-quoted body ({@code $tag$...$tag$}) or parentheses does
 * not end a statement.
 *
 * <p>Each statement is returned trimmed, without its terminating semicolon and without the comments
 * before it, together with the 1-based line and column of its first character so that tools can
 * point at the statement that failed. Pieces holding only whitespace and comments are dropped; text
 * after the last semicolon is a statement of its own.
 */
public final class StatementSplitter {
  private StatementSplitter() {}

  /** A statement of a script and where it starts (1-based line and column). */
  public record Statement(String text, int line, int column) {}

  /** The statements of {@code script}, in order. */
  public static List<String> split(String script) {
    List<String> texts = new ArrayList<>();
    for (Statement statement : splitWithPositions(script)) {
      texts.add(statement.text());
    }
    return texts;
  }

  /** The statements of {@code script} with the position where each starts. */
  public static List<Statement> splitWithPositions(String script) {
    return new Scan(script).statements();
  }

  /** One pass over the script, tracking the line and column of every offset it reaches. */
  private static final class Scan {
    private final String sql;
    private final List<Statement> statements = new ArrayList<>();
    private int line = 1;
    private int lineStart;
    private int start = -1;
    private int startLine;
    private int startColumn;
    private int depth;

    Scan(String sql) {
      this.sql = sql;
    }

    List<Statement> statements() {
      int i = 0;
      while (i < sql.length()) {
        char c = sql.charAt(i);
        if (c == '-' && peek(i + 1) == '-') {
          i = skipLineComment(i);
        } else if (c == '/' && peek(i + 1) == '*') {
          i = skipBlockComment(i);
        } else if (Character.isWhitespace(c)) {
          i = advance(i);
        } else if (c == ';' && depth == 0) {
          finish(i);
          i++;
        } else {
          markStart(i);
          i = skipToken(i, c);
        }
      }
      finish(sql.length());
      return statements;
    }

    private int skipToken(int i, char c) {
      switch (c) {
        case '\'':
          return skipQuoted(i + 1, '\'', isEscapeStringPrefix(i));
        case '"':
          return skipQuoted(i + 1, '"', false);
        case '$':
          return skipDollar(i);
        case '(':
          depth++;
          return i + 1;
        case ')':
          depth = Math.max(0, depth - 1);
          return i + 1;
        default:
          if (isIdentifierChar(c)) {
            int j = i + 1;
            while (j < sql.length() && (isIdentifierChar(sql.charAt(j)) || sql.charAt(j) == '$')) {
              j++;
            }
            return j;
          }
          return i + 1;
      }
    }

    /** {@code E'...'} strings honour backslash escapes; {@code i} is at the opening quote. */
    private boolean isEscapeStringPrefix(int i) {
      if (i == 0 || Character.toUpperCase(sql.charAt(i - 1)) != 'E') {
        return false;
      }
      return i == 1 || !isIdentifierChar(sql.charAt(i - 2));
    }

    private int skipQuoted(int i, char quote, boolean backslashEscapes) {
      while (i < sql.length()) {
        char c = sql.charAt(i);
        if (backslashEscapes && c == '\\') {
          i = i + 1 < sql.length() ? advance(i + 1) : i + 1;
        } else if (c == quote) {
          if (peek(i + 1) == quote) {
            i += 2;
          } else {
            return i + 1;
          }
        } else {
          i = advance(i);
        }
      }
      return i;
    }

    private int skipDollar(int i) {
      int j = i + 1;
      if (j < sql.length() && Character.isDigit(sql.charAt(j))) {
        return j;
      }
      while (j < sql.length() && sql.charAt(j) != '$' && isIdentifierChar(sql.charAt(j))) {
        j++;
      }
      if (j >= sql.length() || sql.charAt(j) != '$') {
        return i + 1;
      }
      String tag = sql.substring(i, j + 1);
      int end = sql.indexOf(tag, j + 1);
      int stop = end < 0 ? sql.length() : end + tag.length();
      for (int k = j + 1; k < stop; k++) {
        advance(k);
      }
      return stop;
    }

    private int skipLineComment(int i) {
      while (i < sql.length() && sql.charAt(i) != '\n') {
        i++;
      }
      return i;
    }

    private int skipBlockComment(int i) {
      int nesting = 0;
      while (i < sql.length()) {
        if (sql.charAt(i) == '/' && peek(i + 1) == '*') {
          nesting++;
          i += 2;
        } else if (sql.charAt(i) == '*' && peek(i + 1) == '/') {
          nesting--;
          i += 2;
          if (nesting == 0) {
            return i;
          }
        } else {
          i = advance(i);
        }
      }
      return i;
    }

    /** Steps over the character at {@code i}, counting lines; returns the next offset. */
    private int advance(int i) {
      if (sql.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
      return i + 1;
    }

    private void markStart(int i) {
      if (start < 0) {
        start = i;
        startLine = line;
        startColumn = i - lineStart + 1;
      }
    }

    private void finish(int end) {
      if (start >= 0) {
        statements.add(new Statement(sql.substring(start, end).strip(), startLine, startColumn));
      }
      start = -1;
      depth = 0;
    }

    private char peek(int i) {
      return i < sql.length() ? sql.charAt(i) : '\0';
    }

    private static boolean isIdentifierChar(char c) {
      return Character.isLetterOrDigit(c) || c == '_';
    }
  }
}
