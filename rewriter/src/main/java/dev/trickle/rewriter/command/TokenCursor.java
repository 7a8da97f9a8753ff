package dev.trickle.rewriter.command;

import dev.trickle.rewriter.scan.Token;
import dev.trickle.rewriter.scan.TokenKind;
import dev.trickle.sql.ReservedKeywords;
import java.util.List;
import java.util.Locale;

/**
 * A position in the tokens of one statement, with the look-ahead and "expect" steps a small
 * recursive-descent recognizer needs, and syntax errors that name what was expected and where
 * (1-based character position in the statement, as PostgreSQL reports it).
 */
final class TokenCursor {
  private final String sql;
  private final List<Token> tokens;
  private final PlaceholderValues placeholders;
  private int index;
  private String context = "statement";

  TokenCursor(String sql, List<Token> tokens, PlaceholderValues placeholders) {
    this.sql = sql;
    this.tokens = tokens;
    this.placeholders = placeholders;
  }

  /** Names the statement being read (for example {@code CREATE STREAM TABLE}) in syntax errors. */
  void context(String context) {
    this.context = context;
  }

  String context() {
    return context;
  }

  boolean atEnd() {
    return index >= tokens.size();
  }

  /** The token {@code ahead} positions after the current one, or null past the end. */
  Token peek(int ahead) {
    int i = index + ahead;
    return i < tokens.size() ? tokens.get(i) : null;
  }

  /** The current token, or null at the end. */
  Token peek() {
    return peek(0);
  }

  /** The current token, moving past it; null at the end. */
  Token next() {
    return atEnd() ? null : tokens.get(index++);
  }

  /** The index of the current token, for {@link #textFrom}. */
  int mark() {
    return index;
  }

  boolean peekWord(String lowerWord) {
    Token token = peek();
    return token != null && token.isWord(lowerWord);
  }

  boolean peekPunctuation(char c) {
    Token token = peek();
    return token != null && token.isPunctuation(c);
  }

  /** Moves past the current token when it is the keyword {@code lowerWord}. */
  boolean acceptWord(String lowerWord) {
    if (peekWord(lowerWord)) {
      index++;
      return true;
    }
    return false;
  }

  /** Moves past the current token when it is the punctuation {@code c}. */
  boolean acceptPunctuation(char c) {
    if (peekPunctuation(c)) {
      index++;
      return true;
    }
    return false;
  }

  void expectWord(String lowerWord) throws RecognitionException {
    if (!acceptWord(lowerWord)) {
      throw syntaxError(lowerWord.toUpperCase(Locale.ROOT));
    }
  }

  void expectPunctuation(char c, String expected) throws RecognitionException {
    if (!acceptPunctuation(c)) {
      throw syntaxError(expected);
    }
  }

  void expectEnd() throws RecognitionException {
    if (!atEnd()) {
      throw syntaxError("the end of the statement");
    }
  }

  /**
   * Reads a relation name ({@code name} or {@code schema.name}, parts quoted or not) and returns it
   * as written, after checking that {@link QualifiedName#parse} accepts it.
   */
  String relationName(String expected) throws RecognitionException {
    Token first = peek();
    if (!isName(first)) {
      throw syntaxError(expected);
    }
    index++;
    Token last = first;
    if (peekPunctuation('.')) {
      index++;
      last = peek();
      if (!isName(last)) {
        throw syntaxError("a name after the dot in " + expected);
      }
      index++;
    }
    String name = sql.substring(first.start(), last.end());
    QualifiedName.parse(name);
    return name;
  }

  /**
   * True when the current token starts a constant: a string of any spelling, a number (optionally
   * signed), {@code NULL}, {@code TRUE}, {@code FALSE}, or a {@code ?} or {@code $n} parameter.
   */
  boolean atConstant() {
    Token token = peek();
    if (token == null) {
      return false;
    }
    return switch (token.kind()) {
      case STRING, ESCAPE_STRING, DOLLAR_STRING, NUMBER, PLACEHOLDER, PARAMETER -> true;
      case WORD -> token.isWord("null") || token.isWord("true") || token.isWord("false");
      case OPERATOR ->
          (token.isOperator("-") || token.isOperator("+"))
              && peek(1) != null
              && peek(1).kind() == TokenKind.NUMBER;
      default -> false;
    };
  }

  /**
   * Reads the constant {@link #atConstant} found, as text: a string's value, a number as written,
   * null for {@code NULL}, {@code true}/{@code false}, or the value bound to a parameter.
   */
  String constant() throws RecognitionException {
    Token token = next();
    return switch (token.kind()) {
      case STRING, ESCAPE_STRING, DOLLAR_STRING -> token.stringValue();
      case NUMBER -> token.text();
      case PLACEHOLDER, PARAMETER -> placeholders.valueOf(token);
      case WORD -> token.isWord("null") ? null : token.identifier();
      case OPERATOR -> (token.isOperator("-") ? "-" : "") + next().text();
      default -> throw new IllegalStateException("not a constant: " + token);
    };
  }

  /** An identifier that can name a relation without quotes: not a reserved keyword. */
  private static boolean isName(Token token) {
    return token != null
        && token.isIdentifier()
        && !(token.kind() == TokenKind.WORD && ReservedKeywords.contains(token.identifier()));
  }

  /** The statement text from the start of token {@code fromIndex} to the end of the last token. */
  String textFrom(int fromIndex) {
    return sql.substring(tokens.get(fromIndex).start(), tokens.get(tokens.size() - 1).end());
  }

  /** A 42601 error saying what was expected at the current token, and where. */
  RecognitionException syntaxError(String expected) {
    Token token = peek();
    String found;
    int position;
    if (token == null) {
      found = "the end of the statement";
      position = sql.length() + 1;
    } else if (token.kind() == TokenKind.UNTERMINATED) {
      found = "an unterminated quoted string or identifier";
      position = token.start() + 1;
    } else {
      found = "\"" + abbreviate(token.text()) + "\"";
      position = token.start() + 1;
    }
    return new RecognitionException(
        RecognitionException.SYNTAX_ERROR,
        context + ": expected " + expected + " but found " + found + " at position " + position);
  }

  /** The 1-based character position of the current token (or just past the end). */
  int position() {
    Token token = peek();
    return token == null ? sql.length() + 1 : token.start() + 1;
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }
}
