package dev.trickle.rewriter.scan;

/**
 * One token of SQL text: its class, where it stands in the text (start inclusive, end exclusive,
 * zero-based) and the text as written.
 */
public record Token(TokenKind kind, int start, int end, String text) {

  /** True for an unquoted word equal to {@code lowerWord} ignoring ASCII case (a keyword test). */
  public boolean isWord(String lowerWord) {
    return kind == TokenKind.WORD
        && SqlLexer.equalsWordIgnoreCase(text, 0, text.length(), lowerWord);
  }

  /** True for the punctuation character {@code c}. */
  public boolean isPunctuation(char c) {
    return kind == TokenKind.PUNCTUATION && text.charAt(0) == c;
  }

  /** True for the operator {@code operator}. */
  public boolean isOperator(String operator) {
    return kind == TokenKind.OPERATOR && text.equals(operator);
  }

  /** True for a word or a quoted identifier. */
  public boolean isIdentifier() {
    return kind == TokenKind.WORD || kind == TokenKind.QUOTED_IDENTIFIER;
  }

  /** True for a string constant of any spelling. */
  public boolean isString() {
    return kind == TokenKind.STRING
        || kind == TokenKind.ESCAPE_STRING
        || kind == TokenKind.DOLLAR_STRING;
  }

  /**
   * The name a word or quoted identifier stands for: a word folded to lower case the way PostgreSQL
   * does (ASCII letters only; other letters are kept, as in a UTF-8 database), a quoted identifier
   * without its quotes and with doubled quotes undone. Not truncated.
   */
  public String identifier() {
    return switch (kind) {
      case WORD -> foldAsciiLowerCase(text);
      case QUOTED_IDENTIFIER -> text.substring(1, text.length() - 1).replace("\"\"", "\"");
      default -> throw new IllegalStateException("not an identifier: " + this);
    };
  }

  /** The value of a string constant, with quotes removed and escapes undone. */
  public String stringValue() {
    return switch (kind) {
      case STRING -> text.substring(1, text.length() - 1).replace("''", "'");
      case ESCAPE_STRING -> EscapeStringDecoder.decode(text, 2, text.length() - 1);
      case DOLLAR_STRING -> {
        int delimiterLength = SqlLexer.dollarDelimiterEnd(text, 0);
        yield text.substring(delimiterLength, text.length() - delimiterLength);
      }
      default -> throw new IllegalStateException("not a string constant: " + this);
    };
  }

  /** {@code text} with ASCII letters in lower case, as PostgreSQL folds unquoted identifiers. */
  private static String foldAsciiLowerCase(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        char[] chars = text.toCharArray();
        for (int k = i; k < chars.length; k++) {
          if (chars[k] >= 'A' && chars[k] <= 'Z') {
            chars[k] = (char) (chars[k] + ('a' - 'A'));
          }
        }
        return new String(chars);
      }
    }
    return text;
  }
}
