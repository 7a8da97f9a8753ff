package dev.trickle.rewriter.command;

import dev.trickle.rewriter.scan.SqlText;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tokens of one statement with a cursor, for the hand-written {@link CommandRecognizer}.
 * Literal tokens carry their decoded value; {@code ?} placeholders are numbered in order of
 * appearance and resolved through {@link ParameterValues}.
 */
final class Tokens {
  enum Kind {
    WORD,
    QUOTED_IDENTIFIER,
    STRING,
    NUMBER,
    PARAMETER,
    SYMBOL
  }

  record Token(Kind kind, String text, int start, int end, int parameterIndex) {}

  private final String sql;
  private final List<Token> tokens = new ArrayList<>();
  private int position;

  Tokens(String sql) throws RecognitionException {
    this.sql = sql;
    lex();
  }

  boolean atEnd() {
    return position >= tokens.size();
  }

  Token peek() {
    return atEnd() ? null : tokens.get(position);
  }

  Token next() throws RecognitionException {
    if (atEnd()) {
      throw new RecognitionException("unexpected end of statement: " + sql, "42601");
    }
    return tokens.get(position++);
  }

  /** Steps back over {@code token}, the one {@link #next()} just returned. */
  void back(Token token) {
    if (position == 0 || tokens.get(position - 1) != token) {
      throw new IllegalStateException("can only step back over the last token");
    }
    position--;
  }

  /** Consumes the next token when it is the (case-insensitive) keyword {@code word}. */
  boolean acceptWord(String word) {
    Token t = peek();
    if (t != null && t.kind() == Kind.WORD && t.text().equalsIgnoreCase(word)) {
      position++;
      return true;
    }
    return false;
  }

  /** Consumes the next token when it is the symbol {@code symbol}. */
  boolean acceptSymbol(String symbol) {
    Token t = peek();
    if (t != null && t.kind() == Kind.SYMBOL && t.text().equals(symbol)) {
      position++;
      return true;
    }
    return false;
  }

  void expectWord(String word) throws RecognitionException {
    if (!acceptWord(word)) {
      throw unexpected("expected " + word.toUpperCase(Locale.ROOT));
    }
  }

  void expectSymbol(String symbol) throws RecognitionException {
    if (!acceptSymbol(symbol)) {
      throw unexpected("expected '" + symbol + "'");
    }
  }

  void expectEnd() throws RecognitionException {
    acceptSymbol(";");
    if (!atEnd()) {
      throw unexpected("expected the end of the statement");
    }
  }

  /** An identifier (unquoted: lower-cased, quoted: as written). */
  String identifier() throws RecognitionException {
    Token t = next();
    if (t.kind() == Kind.WORD) {
      return t.text().toLowerCase(Locale.ROOT);
    }
    if (t.kind() == Kind.QUOTED_IDENTIFIER) {
      return t.text();
    }
    position--;
    throw unexpected("expected a name");
  }

  /** A possibly schema-qualified name, as the user wrote it. */
  String qualifiedName() throws RecognitionException {
    int start = peek() == null ? sql.length() : peek().start();
    identifier();
    if (acceptSymbol(".")) {
      identifier();
    }
    return sql.substring(start, tokens.get(position - 1).end());
  }

  /** The text from the current token to the end, without a trailing semicolon. */
  String rest() throws RecognitionException {
    if (atEnd()) {
      throw new RecognitionException("a query must follow AS: " + sql, "42601");
    }
    int end = tokens.get(tokens.size() - 1).end();
    if (tokens.get(tokens.size() - 1).text().equals(";")) {
      end = tokens.get(tokens.size() - 1).start();
    }
    String text = sql.substring(tokens.get(position).start(), end).strip();
    position = tokens.size();
    return text;
  }

  RecognitionException unexpected(String what) {
    Token t = peek();
    String found = t == null ? "the end" : "'" + sql.substring(t.start(), t.end()) + "'";
    return new RecognitionException(
        what + " but found " + found + " in: " + sql + " (see docs/sql-reference.md)", "42601");
  }

  private void lex() throws RecognitionException {
    int n = sql.length();
    int i = 0;
    int parameters = 0;
    while (i < n) {
      char c = sql.charAt(i);
      int skipped = SqlText.skipQuotedOrComment(sql, i);
      if ((c == '\'' || c == '"') && !closes(i, skipped, c)) {
        throw new RecognitionException(
            "unterminated quote at position " + (i + 1) + ": " + sql, "42601");
      }
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '\'' || c == '$' && skipped != i) {
        add(Kind.STRING, literalValue(sql.substring(i, skipped)), i, skipped, 0);
        i = skipped;
      } else if (c == '"') {
        add(
            Kind.QUOTED_IDENTIFIER,
            sql.substring(i + 1, skipped - 1).replace("\"\"", "\""),
            i,
            skipped,
            0);
        i = skipped;
      } else if (skipped != i) {
        i = skipped;
      } else if ((c == 'E' || c == 'e') && i + 1 < n && sql.charAt(i + 1) == '\'') {
        int end = SqlText.skipQuotedOrComment(sql, i + 1);
        add(Kind.STRING, escapedValue(sql.substring(i + 2, end - 1)), i, end, 0);
        i = end;
      } else if (Character.isDigit(c)) {
        int end = i;
        while (end < n && (Character.isDigit(sql.charAt(end)) || sql.charAt(end) == '.')) {
          end++;
        }
        add(Kind.NUMBER, sql.substring(i, end), i, end, 0);
        i = end;
      } else if (SqlText.isWordChar(c)) {
        int end = i;
        while (end < n && SqlText.isWordChar(sql.charAt(end))) {
          end++;
        }
        add(Kind.WORD, sql.substring(i, end), i, end, 0);
        i = end;
      } else if (c == '?') {
        add(Kind.PARAMETER, "?", i, i + 1, ++parameters);
        i++;
      } else {
        int end = sql.startsWith("=>", i) || sql.startsWith("::", i) ? i + 2 : i + 1;
        add(Kind.SYMBOL, sql.substring(i, end), i, end, 0);
        i = end;
      }
    }
  }

  private boolean closes(int start, int end, char quote) {
    return end - start >= 2 && sql.charAt(end - 1) == quote;
  }

  private void add(Kind kind, String text, int start, int end, int parameterIndex) {
    tokens.add(new Token(kind, text, start, end, parameterIndex));
  }

  private static String literalValue(String quoted) {
    if (quoted.charAt(0) == '\'') {
      return quoted.substring(1, quoted.length() - 1).replace("''", "'");
    }
    int tagEnd = quoted.indexOf('$', 1) + 1;
    return quoted.substring(tagEnd, quoted.length() - tagEnd);
  }

  private static String escapedValue(String body) {
    StringBuilder value = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\\' && i + 1 < body.length()) {
        char e = body.charAt(++i);
        value.append(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
      } else if (c == '\'' && i + 1 < body.length() && body.charAt(i + 1) == '\'') {
        value.append('\'');
        i++;
      } else {
        value.append(c);
      }
    }
    return value.toString();
  }
}
