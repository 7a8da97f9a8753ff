package dev.trickle.rewriter.command;

import dev.trickle.rewriter.command.TrickleCommand.CreateExtension;
import dev.trickle.rewriter.command.TrickleCommand.DropExtension;
import dev.trickle.rewriter.scan.Token;
import dev.trickle.rewriter.scan.TokenKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Recognizes {@code CREATE EXTENSION [IF NOT EXISTS] pg_trickle [WITH] [SCHEMA pgtrickle] [VERSION
 * v] [CASCADE]} and {@code DROP EXTENSION [IF EXISTS] pg_trickle [CASCADE | RESTRICT]}, which the
 * driver carries out by installing or removing its catalog. Statements about other extensions are
 * left to the server.
 */
final class ExtensionDdlRecognizer {
  private static final String EXTENSION = "pg_trickle";
  private static final String SCHEMA = "pgtrickle";

  private ExtensionDdlRecognizer() {}

  /** Reads {@code CREATE EXTENSION ...}; empty when the extension is not pg_trickle. */
  static Optional<TrickleCommand> create(TokenCursor cursor) throws RecognitionException {
    cursor.expectWord("create");
    if (!cursor.acceptWord("extension")) {
      return Optional.empty();
    }
    boolean ifNotExists = false;
    if (cursor.peekWord("if") && cursor.peek(1) != null && cursor.peek(1).isWord("not")) {
      cursor.next();
      cursor.next();
      ifNotExists = true;
      if (!cursor.acceptWord("exists")) {
        return Optional.empty();
      }
    }
    if (!isTrickle(cursor.peek())) {
      return Optional.empty();
    }
    cursor.next();
    cursor.context("CREATE EXTENSION pg_trickle");
    cursor.acceptWord("with");
    boolean schema = false;
    boolean version = false;
    boolean cascade = false;
    while (!cursor.atEnd()) {
      if (!schema && cursor.acceptWord("schema")) {
        schema = true;
        checkSchema(cursor);
      } else if (!version && cursor.acceptWord("version")) {
        version = true;
        Token value = cursor.next();
        if (value == null || !(value.isString() || value.isIdentifier() || isNumber(value))) {
          throw cursor.syntaxError("a version after VERSION");
        }
      } else if (!cascade && cursor.acceptWord("cascade")) {
        cascade = true;
      } else {
        throw cursor.syntaxError("SCHEMA, VERSION, CASCADE or the end of the statement");
      }
    }
    return Optional.of(new CreateExtension(ifNotExists));
  }

  /** Reads {@code DROP EXTENSION ...}; empty when pg_trickle is not among the extensions named. */
  static Optional<TrickleCommand> drop(TokenCursor cursor) throws RecognitionException {
    cursor.expectWord("drop");
    if (!cursor.acceptWord("extension")) {
      return Optional.empty();
    }
    boolean ifExists =
        cursor.peekWord("if") && cursor.peek(1) != null && cursor.peek(1).isWord("exists");
    if (ifExists) {
      cursor.next();
      cursor.next();
    }
    List<String> others = new ArrayList<>();
    boolean trickle = false;
    do {
      Token name = cursor.peek();
      if (name == null || !name.isIdentifier()) {
        return Optional.empty();
      }
      cursor.next();
      if (isTrickle(name)) {
        trickle = true;
      } else {
        others.add(name.text());
      }
    } while (cursor.acceptPunctuation(','));
    if (!trickle) {
      return Optional.empty();
    }
    if (!others.isEmpty()) {
      throw new RecognitionException(
          RecognitionException.FEATURE_NOT_SUPPORTED,
          "pg_trickle must be dropped separately: run DROP EXTENSION pg_trickle on its own, and"
              + " DROP EXTENSION "
              + String.join(", ", others)
              + " as another statement");
    }
    cursor.context("DROP EXTENSION pg_trickle");
    boolean cascade = cursor.acceptWord("cascade");
    if (!cascade) {
      cursor.acceptWord("restrict");
    }
    cursor.expectEnd();
    return Optional.of(new DropExtension(ifExists, cascade));
  }

  private static boolean isTrickle(Token token) {
    return token != null && token.isIdentifier() && token.identifier().equals(EXTENSION);
  }

  private static boolean isNumber(Token token) {
    return token.kind() == TokenKind.NUMBER;
  }

  private static void checkSchema(TokenCursor cursor) throws RecognitionException {
    Token schema = cursor.peek();
    if (schema == null || !schema.isIdentifier()) {
      throw cursor.syntaxError("a schema name after SCHEMA");
    }
    cursor.next();
    if (!schema.identifier().equals(SCHEMA)) {
      throw new RecognitionException(
          RecognitionException.FEATURE_NOT_SUPPORTED,
          "pg_trickle always installs into schema pgtrickle, not \""
              + schema.identifier()
              + "\"; remove the SCHEMA clause or write SCHEMA pgtrickle");
    }
  }
}
