package dev.trickle.rewriter.scan;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a script into statements at each {@code ;} outside strings, quoted identifiers, comments,
 * dollar quotes (so function bodies stay whole) and parentheses, as psql does. Each statement runs
 * from its first token to its last: comments and whitespace around it are dropped, comments inside
 * it are kept, and statements with no tokens (blank or comment-only) are left out.
 */
public final class StatementSplitter {

  /**
   * One statement of a script and where it starts, for error messages.
   *
   * @param sql the statement text, without the terminating {@code ;}
   * @param line the 1-based line of its first character in the script
   * @param column the 1-based column (in characters) of its first character
   */
  public record Statement(String sql, int line, int column) {}

  private StatementSplitter() {}

  /** The statements of {@code script}, in order. */
  public static List<String> split(String script) {
    List<String> statements = new ArrayList<>();
    for (Statement statement : splitWithPositions(script)) {
      statements.add(statement.sql());
    }
    return statements;
  }

  /** The statements of {@code script} with their positions, in order. */
  public static List<Statement> splitWithPositions(String script) {
    List<Statement> statements = new ArrayList<>();
    LineCounter lines = new LineCounter(script);
    SqlTokenizer tokenizer = new SqlTokenizer(script);
    int start = -1;
    int end = -1;
    int depth = 0;
    for (TokenKind kind = tokenizer.next(); kind != null; kind = tokenizer.next()) {
      if (kind == TokenKind.PUNCTUATION) {
        char c = script.charAt(tokenizer.start());
        if (c == ';' && depth == 0) {
          if (start >= 0) {
            statements.add(lines.statement(start, end));
          }
          start = -1;
          continue;
        }
        if (c == '(') {
          depth++;
        } else if (c == ')' && depth > 0) {
          depth--;
        }
      }
      if (start < 0) {
        start = tokenizer.start();
      }
      end = tokenizer.end();
    }
    if (start >= 0) {
      statements.add(lines.statement(start, end));
    }
    return statements;
  }

  /** Turns offsets into line and column, moving forward only, so a whole script costs one pass. */
  private static final class LineCounter {
    private final String script;
    private int offset;
    private int line = 1;
    private int lineStart;

    LineCounter(String script) {
      this.script = script;
    }

    Statement statement(int start, int end) {
      while (offset < start) {
        char c = script.charAt(offset++);
        if (c == '\n'
            || (c == '\r' && (offset >= script.length() || script.charAt(offset) != '\n'))) {
          line++;
          lineStart = offset;
        }
      }
      return new Statement(script.substring(start, end), line, start - lineStart + 1);
    }
  }
}
