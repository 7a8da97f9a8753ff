package dev.trickle.rewriter.command;

import dev.trickle.rewriter.command.TrickleCommand.AlterStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.CreateMode;
import dev.trickle.rewriter.command.TrickleCommand.CreateStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.DropStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.Form;
import dev.trickle.rewriter.command.TrickleCommand.RefreshStreamTable;
import dev.trickle.rewriter.scan.Token;
import dev.trickle.rewriter.scan.TokenKind;
import java.util.List;
import java.util.Optional;

/**
 * Recognizes Trickle's DDL spelling of the lifecycle:
 *
 * <pre>
 * CREATE [OR REPLACE] STREAM TABLE [IF NOT EXISTS] name [WITH (option = value, ...)] AS query
 * ALTER STREAM TABLE name SET (option = value, ...)
 * DROP STREAM TABLE [IF EXISTS] name [CASCADE | RESTRICT]
 * REFRESH STREAM TABLE name
 * </pre>
 *
 * Option values are constants, bare words ({@code DIFFERENTIAL}, {@code 5m}) or bound parameters;
 * an option without a value means {@code true}. The query is the rest of the statement, verbatim.
 * Once the words {@code ... STREAM TABLE} have been read, anything malformed is a 42601 error
 * pointing at the position where something else was expected.
 */
final class StreamTableDdlRecognizer {
  private static final List<String> CREATE_OPTIONS =
      ApiFunction.Parameters.CREATE.subList(2, ApiFunction.Parameters.CREATE.size());
  private static final List<String> ALTER_OPTIONS =
      ApiFunction.Parameters.ALTER.subList(1, ApiFunction.Parameters.ALTER.size());

  private StreamTableDdlRecognizer() {}

  /** Reads a statement starting with {@code CREATE}; empty unless it creates a stream table. */
  static Optional<TrickleCommand> create(TokenCursor cursor) throws RecognitionException {
    cursor.expectWord("create");
    boolean orReplace =
        cursor.peekWord("or") && cursor.peek(1) != null && cursor.peek(1).isWord("replace");
    if (orReplace) {
      cursor.next();
      cursor.next();
    }
    if (!streamTable(cursor)) {
      return Optional.empty();
    }
    cursor.context(orReplace ? "CREATE OR REPLACE STREAM TABLE" : "CREATE STREAM TABLE");
    boolean ifNotExists = ifExists(cursor, true);
    if (orReplace && ifNotExists) {
      throw new RecognitionException(
          RecognitionException.SYNTAX_ERROR,
          "CREATE OR REPLACE STREAM TABLE cannot be combined with IF NOT EXISTS; use one of them");
    }
    String name = cursor.relationName("the stream table name");
    GivenArguments options = new GivenArguments(cursor.context(), "option", CREATE_OPTIONS);
    if (cursor.acceptWord("with")) {
      readOptions(cursor, options);
    }
    cursor.expectWord("as");
    if (cursor.atEnd()) {
      throw cursor.syntaxError("the defining query after AS");
    }
    String query = cursor.textFrom(cursor.mark());
    options.booleanValue("initialize", true);
    CreateMode mode =
        orReplace
            ? CreateMode.OR_REPLACE
            : ifNotExists ? CreateMode.IF_NOT_EXISTS : CreateMode.CREATE;
    return Optional.of(new CreateStreamTable(Form.DDL, mode, name, query, options.optionsExcept()));
  }

  /** Reads a statement starting with {@code ALTER}; empty unless it alters a stream table. */
  static Optional<TrickleCommand> alter(TokenCursor cursor) throws RecognitionException {
    cursor.expectWord("alter");
    if (!streamTable(cursor)) {
      return Optional.empty();
    }
    cursor.context("ALTER STREAM TABLE");
    if (cursor.peekWord("if")) {
      throw new RecognitionException(
          RecognitionException.FEATURE_NOT_SUPPORTED,
          "ALTER STREAM TABLE IF EXISTS is not supported; alter the stream table by name, after"
              + " checking that it exists in pgtrickle.pgt_status() if needed");
    }
    String name = cursor.relationName("the stream table name");
    cursor.expectWord("set");
    GivenArguments options = new GivenArguments(cursor.context(), "option", ALTER_OPTIONS);
    readOptions(cursor, options);
    cursor.expectEnd();
    String query = options.get("query") == null ? null : options.required("query");
    return Optional.of(new AlterStreamTable(Form.DDL, name, query, options.optionsExcept("query")));
  }

  /** Reads a statement starting with {@code DROP}; empty unless it drops a stream table. */
  static Optional<TrickleCommand> drop(TokenCursor cursor) throws RecognitionException {
    cursor.expectWord("drop");
    if (!streamTable(cursor)) {
      return Optional.empty();
    }
    cursor.context("DROP STREAM TABLE");
    boolean ifExists = ifExists(cursor, false);
    String name = cursor.relationName("the stream table name");
    if (cursor.peekPunctuation(',')) {
      throw new RecognitionException(
          RecognitionException.FEATURE_NOT_SUPPORTED,
          "DROP STREAM TABLE drops one stream table at a time; run one DROP STREAM TABLE per name");
    }
    boolean cascade = cursor.acceptWord("cascade");
    if (!cascade) {
      cursor.acceptWord("restrict");
    }
    cursor.expectEnd();
    return Optional.of(new DropStreamTable(Form.DDL, name, ifExists, cascade));
  }

  /** Reads a statement starting with {@code REFRESH}; empty unless it refreshes a stream table. */
  static Optional<TrickleCommand> refresh(TokenCursor cursor) throws RecognitionException {
    cursor.expectWord("refresh");
    if (!streamTable(cursor)) {
      return Optional.empty();
    }
    cursor.context("REFRESH STREAM TABLE");
    String name = cursor.relationName("the stream table name");
    cursor.expectEnd();
    return Optional.of(new RefreshStreamTable(Form.DDL, name));
  }

  /** Moves past {@code STREAM TABLE} when both words come next. */
  private static boolean streamTable(TokenCursor cursor) {
    Token table = cursor.peek(1);
    if (cursor.peekWord("stream") && table != null && table.isWord("table")) {
      cursor.next();
      cursor.next();
      return true;
    }
    return false;
  }

  /** Reads {@code IF NOT EXISTS} (when {@code not}) or {@code IF EXISTS}, if present. */
  private static boolean ifExists(TokenCursor cursor, boolean not) throws RecognitionException {
    if (!cursor.acceptWord("if")) {
      return false;
    }
    if (not) {
      cursor.expectWord("not");
    }
    cursor.expectWord("exists");
    return true;
  }

  /** Reads {@code (option [= value], ...)} into {@code options}. */
  private static void readOptions(TokenCursor cursor, GivenArguments options)
      throws RecognitionException {
    cursor.expectPunctuation('(', "a parenthesized option list");
    do {
      Token name = cursor.peek();
      if (name == null || !name.isIdentifier()) {
        throw cursor.syntaxError("an option name");
      }
      cursor.next();
      String value = "true";
      Token equals = cursor.peek();
      if (equals != null && equals.isOperator("=")) {
        cursor.next();
        value = optionValue(cursor, name.identifier());
      }
      options.put(name.identifier(), value);
    } while (cursor.acceptPunctuation(','));
    cursor.expectPunctuation(')', "a comma or a closing parenthesis");
  }

  private static String optionValue(TokenCursor cursor, String option) throws RecognitionException {
    if (cursor.atConstant()) {
      return cursor.constant();
    }
    Token token = cursor.peek();
    if (token != null && token.isIdentifier()) {
      cursor.next();
      return token.kind() == TokenKind.WORD ? token.text() : token.identifier();
    }
    throw cursor.syntaxError("a value for " + option + " (a quoted string, a word or a number)");
  }
}
