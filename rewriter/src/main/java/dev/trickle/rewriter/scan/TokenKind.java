package dev.trickle.rewriter.scan;

/**
 * The classes of tokens {@link SqlTokenizer} distinguishes; whitespace and comments are not tokens.
 */
public enum TokenKind {
  /** An unquoted identifier or keyword: {@code select}, {@code pgtrickle}, {@code Ünïcode}. */
  WORD,
  /** A double-quoted identifier: {@code "My Schema"}. */
  QUOTED_IDENTIFIER,
  /** A standard string constant: {@code 'it''s'}. */
  STRING,
  /** A string constant with C-style backslash escapes: {@code E'a\tb'}. */
  ESCAPE_STRING,
  /** A dollar-quoted string constant: {@code $$body$$}, {@code $fn$body$fn$}. */
  DOLLAR_STRING,
  /** A numeric constant: {@code 42}, {@code 1.5e3}, {@code .5}. */
  NUMBER,
  /** A positional server parameter: {@code $1}. */
  PARAMETER,
  /** A JDBC placeholder: {@code ?}. */
  PLACEHOLDER,
  /** An operator: {@code =>}, {@code :=}, {@code ::}, {@code ||}, {@code =}, {@code -}. */
  OPERATOR,
  /** Any other single character: {@code ( ) , ; . [ ] :}. */
  PUNCTUATION,
  /** A string, quoted identifier or dollar quote that runs to the end of the text unterminated. */
  UNTERMINATED
}
