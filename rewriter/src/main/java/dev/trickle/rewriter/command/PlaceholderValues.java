package dev.trickle.rewriter.command;

import dev.trickle.rewriter.scan.Token;
import dev.trickle.rewriter.scan.TokenKind;

/**
 * Resolves the parameters of a prepared statement: {@code ?} placeholders numbered from 1 in the
 * order they are read, and {@code $n} parameters by their number.
 */
final class PlaceholderValues {
  private final ParameterValues values;
  private int placeholdersRead;

  PlaceholderValues(ParameterValues values) {
    this.values = values;
  }

  /** The text bound to a {@link TokenKind#PLACEHOLDER} or {@link TokenKind#PARAMETER} token. */
  String valueOf(Token token) throws RecognitionException {
    int number =
        token.kind() == TokenKind.PLACEHOLDER
            ? ++placeholdersRead
            : Integer.parseInt(token.text().substring(1));
    try {
      return values.valueAt(number);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new RecognitionException(
          RecognitionException.INVALID_PARAMETER_VALUE,
          "no value is bound to parameter "
              + number
              + " ("
              + token.text()
              + "): bind every parameter before executing the statement");
    }
  }
}
