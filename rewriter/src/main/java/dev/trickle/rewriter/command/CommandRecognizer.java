package dev.trickle.rewriter.command;

import dev.trickle.rewriter.scan.SqlTokenizer;
import dev.trickle.rewriter.scan.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a statement is a stream-table API statement and, if so, turns it into a {@link
 * TrickleCommand}. Both spellings are understood: the pg_trickle function calls ({@code SELECT
 * pgtrickle.create_stream_table(...)} and the other lifecycle functions) and Trickle's DDL ({@code
 * CREATE STREAM TABLE ...}, {@code CREATE EXTENSION pg_trickle}, ...). Everything else, including
 * the pg_trickle monitoring functions, is left to the server.
 *
 * <p>The recognizer is small and hand-written over {@link SqlTokenizer}'s tokens; it reads the
 * stream-table syntax only and hands the defining query on as text. Call it only for statements
 * {@link dev.trickle.rewriter.scan.StatementScanner#mayConcernTrickle} lets through.
 */
public final class CommandRecognizer {
  private CommandRecognizer() {}

  /**
   * The command {@code statement} spells, or empty when it is not a stream-table API statement.
   *
   * @param statement one SQL statement, optionally ending in {@code ;}
   * @param params the values bound to its {@code ?} placeholders (or {@code $n} parameters)
   * @throws RecognitionException when the statement is meant for Trickle but cannot be accepted:
   *     42601 malformed DDL (with the position), 22023 unknown, repeated, missing or invalid
   *     arguments, 0A000 arguments that are not constants, a lifecycle call inside a larger
   *     statement, or several statements in one string
   */
  public static Optional<TrickleCommand> recognize(String statement, ParameterValues params)
      throws RecognitionException {
    List<Token> tokens = SqlTokenizer.tokenize(statement);
    int end = tokens.size();
    while (end > 0 && tokens.get(end - 1).isPunctuation(';')) {
      end--;
    }
    List<List<Token>> statements = splitAtSemicolons(tokens.subList(0, end));
    PlaceholderValues placeholders = new PlaceholderValues(params);
    if (statements.size() == 1) {
      return recognizeOne(statement, statements.get(0), placeholders);
    }
    for (List<Token> part : statements) {
      boolean ours;
      try {
        ours = recognizeOne(statement, part, placeholders).isPresent();
      } catch (RecognitionException e) {
        ours = true;
      }
      if (ours) {
        throw new RecognitionException(
            RecognitionException.FEATURE_NOT_SUPPORTED,
            "a stream-table statement must be sent on its own, but this string holds "
                + statements.size()
                + " statements; execute them one at a time");
      }
    }
    return Optional.empty();
  }

  private static Optional<TrickleCommand> recognizeOne(
      String statement, List<Token> tokens, PlaceholderValues placeholders)
      throws RecognitionException {
    if (tokens.isEmpty()) {
      return Optional.empty();
    }
    TokenCursor cursor = new TokenCursor(statement, tokens, placeholders);
    Token first = tokens.get(0);
    Token second = cursor.peek(1);
    boolean extension = second != null && second.isWord("extension");
    Optional<TrickleCommand> command;
    if (first.isWord("select")) {
      command = FunctionCallRecognizer.recognize(cursor);
    } else if (first.isWord("create")) {
      command =
          extension
              ? ExtensionDdlRecognizer.create(cursor)
              : StreamTableDdlRecognizer.create(cursor);
    } else if (first.isWord("drop")) {
      command =
          extension ? ExtensionDdlRecognizer.drop(cursor) : StreamTableDdlRecognizer.drop(cursor);
    } else if (first.isWord("alter")) {
      command = StreamTableDdlRecognizer.alter(cursor);
    } else if (first.isWord("refresh")) {
      command = StreamTableDdlRecognizer.refresh(cursor);
    } else {
      command = Optional.empty();
    }
    if (command.isEmpty() && (first.isWord("select") || first.isWord("with"))) {
      refuseEmbeddedLifecycleCall(new TokenCursor(statement, tokens, placeholders));
    }
    return command;
  }

  /** A query that calls a lifecycle function somewhere inside cannot be run by the driver. */
  private static void refuseEmbeddedLifecycleCall(TokenCursor cursor) throws RecognitionException {
    for (int ahead = 0; cursor.peek(ahead) != null; ahead++) {
      ApiFunction function = FunctionCallRecognizer.calledAt(cursor, ahead);
      if (function != null) {
        throw FunctionCallRecognizer.notAlone(function);
      }
    }
  }

  private static List<List<Token>> splitAtSemicolons(List<Token> tokens) {
    List<List<Token>> statements = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      if (token.isPunctuation('(')) {
        depth++;
      } else if (token.isPunctuation(')') && depth > 0) {
        depth--;
      } else if (token.isPunctuation(';') && depth == 0) {
        statements.add(tokens.subList(start, i));
        start = i + 1;
      }
    }
    statements.add(tokens.subList(start, tokens.size()));
    statements.removeIf(List::isEmpty);
    if (statements.isEmpty()) {
      statements.add(List.of());
    }
    return statements;
  }
}
