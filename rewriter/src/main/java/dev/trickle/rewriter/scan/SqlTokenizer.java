package dev.trickle.rewriter.scan;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into {@link Token}s by PostgreSQL's lexical rules (see {@link SqlLexer}),
 * skipping whitespace and comments. Used where a statement is already known to be worth a closer
 * look, so it may allocate; as a cursor ({@link #next()}) it allocates no tokens at all.
 *
 * <p>Operators follow PostgreSQL: a run of operator characters, cut before a comment start, and
 * without trailing {@code +}/{@code -} unless it contains one of {@code ~ ! @ # % ^ & | `}; {@code
 * ?} is always a placeholder of its own, and {@code ::} and {@code :=} are operators.
 */
public final class SqlTokenizer {
  private final String sql;
  private int position;
  private int tokenStart;

  /** A cursor at the start of {@code sql}. */
  public SqlTokenizer(String sql) {
    this.sql = sql;
  }

  /** All tokens of {@code sql}, in order. */
  public static List<Token> tokenize(String sql) {
    SqlTokenizer tokenizer = new SqlTokenizer(sql);
    List<Token> tokens = new ArrayList<>();
    for (TokenKind kind = tokenizer.next(); kind != null; kind = tokenizer.next()) {
      tokens.add(new Token(kind, tokenizer.start(), tokenizer.end(), tokenizer.text()));
    }
    return tokens;
  }

  /** Moves to the next token and returns its kind, or null at the end of the text. */
  public TokenKind next() {
    int n = sql.length();
    int i = SqlLexer.skipSpaceAndComments(sql, position);
    tokenStart = i;
    if (i >= n) {
      position = n;
      return null;
    }
    char c = sql.charAt(i);
    if (SqlLexer.isIdentifierStart(c)) {
      int end = SqlLexer.skipIdentifier(sql, i);
      if (end == i + 1 && (c == 'E' || c == 'e') && end < n && sql.charAt(end) == '\'') {
        return quoted(SqlLexer.skipQuoted(sql, end, '\'', true), TokenKind.ESCAPE_STRING);
      }
      return token(end, TokenKind.WORD);
    }
    switch (c) {
      case '\'':
        return quoted(SqlLexer.skipQuoted(sql, i, '\'', false), TokenKind.STRING);
      case '"':
        return quoted(SqlLexer.skipQuoted(sql, i, '"', false), TokenKind.QUOTED_IDENTIFIER);
      case '$':
        return dollar(i);
      case '?':
        return token(i + 1, TokenKind.PLACEHOLDER);
      case ':':
        if (i + 1 < n && (sql.charAt(i + 1) == ':' || sql.charAt(i + 1) == '=')) {
          return token(i + 2, TokenKind.OPERATOR);
        }
        return token(i + 1, TokenKind.PUNCTUATION);
      case '.':
        if (i + 1 < n && SqlLexer.isDigit(sql.charAt(i + 1))) {
          return token(numberEnd(i), TokenKind.NUMBER);
        }
        return token(i + 1, TokenKind.PUNCTUATION);
      default:
        if (SqlLexer.isDigit(c)) {
          return token(numberEnd(i), TokenKind.NUMBER);
        }
        if (isOperatorChar(c)) {
          return token(operatorEnd(i), TokenKind.OPERATOR);
        }
        return token(i + 1, TokenKind.PUNCTUATION);
    }
  }

  /** Zero-based start of the current token (the text length at the end). */
  public int start() {
    return tokenStart;
  }

  /** Zero-based end (exclusive) of the current token. */
  public int end() {
    return position;
  }

  /** The current token as written. */
  public String text() {
    return sql.substring(tokenStart, position);
  }

  private TokenKind token(int end, TokenKind kind) {
    position = end;
    return kind;
  }

  private TokenKind quoted(int end, TokenKind kind) {
    return end == SqlLexer.UNTERMINATED
        ? token(sql.length(), TokenKind.UNTERMINATED)
        : token(end, kind);
  }

  private TokenKind dollar(int i) {
    int delimiterEnd = SqlLexer.dollarDelimiterEnd(sql, i);
    if (delimiterEnd >= 0) {
      return quoted(SqlLexer.skipDollarQuoted(sql, i, delimiterEnd), TokenKind.DOLLAR_STRING);
    }
    int end = i + 1;
    while (end < sql.length() && SqlLexer.isDigit(sql.charAt(end))) {
      end++;
    }
    return token(end, end > i + 1 ? TokenKind.PARAMETER : TokenKind.PUNCTUATION);
  }

  /** Digits with underscores, an optional fraction and exponent, and any letters glued on. */
  private int numberEnd(int start) {
    int n = sql.length();
    int i = digitsEnd(start);
    if (i < n && sql.charAt(i) == '.' && !(i + 1 < n && sql.charAt(i + 1) == '.')) {
      i = digitsEnd(i + 1);
    }
    if (i < n && (sql.charAt(i) == 'e' || sql.charAt(i) == 'E')) {
      int exponent = i + 1;
      if (exponent < n && (sql.charAt(exponent) == '+' || sql.charAt(exponent) == '-')) {
        exponent++;
      }
      if (exponent < n && SqlLexer.isDigit(sql.charAt(exponent))) {
        i = digitsEnd(exponent);
      }
    }
    while (i < n && SqlLexer.isIdentifierPart(sql.charAt(i))) {
      i++;
    }
    return i;
  }

  private int digitsEnd(int start) {
    int i = start;
    while (i < sql.length() && (SqlLexer.isDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
      i++;
    }
    return i;
  }

  private int operatorEnd(int start) {
    int n = sql.length();
    int i = start;
    boolean mayEndInSign = false;
    while (i < n
        && isOperatorChar(sql.charAt(i))
        && !(i > start
            && (SqlLexer.isLineCommentStart(sql, i) || SqlLexer.isBlockCommentStart(sql, i)))) {
      mayEndInSign |= "~!@#%^&|`".indexOf(sql.charAt(i)) >= 0;
      i++;
    }
    while (!mayEndInSign && i - start > 1 && "+-".indexOf(sql.charAt(i - 1)) >= 0) {
      i--;
    }
    return i;
  }

  private static boolean isOperatorChar(char c) {
    return "+-*/<>=~!@#%^&|`".indexOf(c) >= 0;
  }
}
