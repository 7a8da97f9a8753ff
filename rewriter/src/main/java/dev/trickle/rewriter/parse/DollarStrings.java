package dev.trickle.rewriter.parse;

import dev.trickle.rewriter.scan.SqlTokenizer;
import dev.trickle.rewriter.scan.TokenKind;

/**
 * Rewrites dollar-quoted string constants as standard string literals before the query goes to
 * JSqlParser, which reads only some tags ({@code $pgt1$...$pgt1$}, a tag with a digit, did not
 * parse, so a valid query was refused with 42601). Both spellings are the same constant of unknown
 * type to PostgreSQL (with {@code standard_conforming_strings}, on by default since 9.1, a
 * backslash in a standard literal is a backslash). A literal shorter than the dollar-quoted text is
 * padded with spaces after it, so positions in the rest of the query stay those of the user's text.
 */
final class DollarStrings {
  private DollarStrings() {}

  /** {@code query} with every dollar-quoted constant written as {@code '...'}. */
  static String asStandardLiterals(String query) {
    if (query.indexOf('$') < 0) {
      return query;
    }
    SqlTokenizer tokens = new SqlTokenizer(query);
    StringBuilder out = null;
    int copied = 0;
    for (TokenKind kind = tokens.next(); kind != null; kind = tokens.next()) {
      if (kind != TokenKind.DOLLAR_STRING) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(query.length() + 16);
      }
      String text = tokens.text();
      int tag = text.indexOf('$', 1) + 1;
      String literal = "'" + text.substring(tag, text.length() - tag).replace("'", "''") + "'";
      out.append(query, copied, tokens.start()).append(literal);
      out.append(" ".repeat(Math.max(0, text.length() - literal.length())));
      copied = tokens.end();
    }
    return out == null ? query : out.append(query, copied, query.length()).toString();
  }
}
