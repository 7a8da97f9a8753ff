package dev.trickle.rewriter.command;

import dev.trickle.rewriter.command.TrickleCommand.AlterStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.CreateMode;
import dev.trickle.rewriter.command.TrickleCommand.CreateStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.DropStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.Form;
import dev.trickle.rewriter.command.TrickleCommand.RefreshStreamTable;
import dev.trickle.rewriter.command.TrickleCommand.ResumeStreamTable;
import dev.trickle.rewriter.scan.Token;
import dev.trickle.rewriter.scan.TokenKind;
import java.util.List;
import java.util.Optional;

/**
 * Recognizes the pg_trickle function-call spelling: {@code SELECT pgtrickle.fn(args)} or {@code
 * SELECT * FROM pgtrickle.fn(args)} for the lifecycle functions of {@link ApiFunction}. Arguments
 * are positional, named ({@code name => value}, or the older {@code name := value}) or positional
 * then named, as PostgreSQL allows; each must be a constant or a bound parameter, optionally with a
 * cast, because the driver runs the function itself instead of the server evaluating it.
 */
final class FunctionCallRecognizer {
  private FunctionCallRecognizer() {}

  /**
   * Reads the statement at {@code cursor}, which starts with {@code SELECT}; empty when it does not
   * call a lifecycle function in one of the two accepted shapes.
   */
  static Optional<TrickleCommand> recognize(TokenCursor cursor) throws RecognitionException {
    cursor.expectWord("select");
    Token star = cursor.peek();
    if (star != null && star.isOperator("*")) {
      cursor.next();
      if (!cursor.acceptWord("from")) {
        return Optional.empty();
      }
    }
    ApiFunction function = calledAt(cursor, 0);
    if (function == null) {
      return Optional.empty();
    }
    cursor.context(function.qualifiedName());
    cursor.next();
    cursor.next();
    cursor.next();
    cursor.next();
    GivenArguments arguments = readArguments(cursor, function);
    if (!cursor.atEnd()) {
      throw notAlone(function);
    }
    return Optional.of(command(function, arguments));
  }

  /**
   * The lifecycle function called at {@code ahead} tokens from the cursor ({@code pgtrickle . fn
   * (}, any case, parts possibly quoted), or null.
   */
  static ApiFunction calledAt(TokenCursor cursor, int ahead) {
    Token schema = cursor.peek(ahead);
    Token dot = cursor.peek(ahead + 1);
    Token name = cursor.peek(ahead + 2);
    Token open = cursor.peek(ahead + 3);
    if (open == null
        || !schema.isIdentifier()
        || !dot.isPunctuation('.')
        || !name.isIdentifier()
        || !open.isPunctuation('(')
        || !schema.identifier().equals("pgtrickle")) {
      return null;
    }
    return ApiFunction.named(name.identifier());
  }

  /** The 0A000 error for a lifecycle call that is part of a larger statement. */
  static RecognitionException notAlone(ApiFunction function) {
    return new RecognitionException(
        RecognitionException.FEATURE_NOT_SUPPORTED,
        function.qualifiedName()
            + " must be called on its own: run SELECT "
            + function.qualifiedName()
            + "(...) as a statement by itself, without other clauses, expressions or statements");
  }

  private static GivenArguments readArguments(TokenCursor cursor, ApiFunction function)
      throws RecognitionException {
    List<String> parameters = function.parameters();
    GivenArguments arguments =
        new GivenArguments(function.qualifiedName(), "parameter", parameters);
    if (cursor.acceptPunctuation(')')) {
      return arguments;
    }
    int positional = 0;
    boolean named = false;
    do {
      Token token = cursor.peek();
      Token arrow = cursor.peek(1);
      String name;
      if (token == null
          || token.kind() == TokenKind.UNTERMINATED
          || token.isPunctuation(',')
          || token.isPunctuation(')')) {
        throw cursor.syntaxError("an argument");
      }
      if (token.isIdentifier()
          && arrow != null
          && (arrow.isOperator("=>") || arrow.isOperator(":="))) {
        name = token.identifier();
        cursor.next();
        cursor.next();
        named = true;
      } else if (named) {
        throw cursor.syntaxError(
            "a named argument (a positional argument cannot follow a named one)");
      } else if (positional >= parameters.size()) {
        throw new RecognitionException(
            RecognitionException.INVALID_PARAMETER_VALUE,
            function.qualifiedName()
                + " takes at most "
                + parameters.size()
                + " arguments ("
                + String.join(", ", parameters)
                + ") but more were given");
      } else {
        name = parameters.get(positional++);
      }
      arguments.put(name, value(cursor, function, name));
    } while (cursor.acceptPunctuation(','));
    cursor.expectPunctuation(')', "a comma or a closing parenthesis");
    return arguments;
  }

  /** Reads one argument value: a constant, then any number of ignored {@code ::type} casts. */
  private static String value(TokenCursor cursor, ApiFunction function, String name)
      throws RecognitionException {
    Token token = cursor.peek();
    if (token == null
        || token.kind() == TokenKind.UNTERMINATED
        || token.isPunctuation(',')
        || token.isPunctuation(')')) {
      throw cursor.syntaxError("a value for " + name);
    }
    if (!cursor.atConstant()) {
      throw notLiteral(cursor, function, name);
    }
    String value = cursor.constant();
    while (cursor.peek() != null && cursor.peek().isOperator("::")) {
      cursor.next();
      skipTypeName(cursor);
    }
    Token after = cursor.peek();
    if (after == null || after.kind() == TokenKind.UNTERMINATED) {
      throw cursor.syntaxError("a comma or a closing parenthesis");
    }
    if (!after.isPunctuation(',') && !after.isPunctuation(')')) {
      throw notLiteral(cursor, function, name);
    }
    return value;
  }

  /** Skips a type name such as {@code text}, {@code pg_catalog.varchar(10)}, {@code text[]}. */
  private static void skipTypeName(TokenCursor cursor) throws RecognitionException {
    Token first = cursor.peek();
    if (first == null || !first.isIdentifier()) {
      throw cursor.syntaxError("a type name after ::");
    }
    cursor.next();
    int depth = 0;
    for (Token token = cursor.peek(); token != null; token = cursor.peek()) {
      boolean opens = token.isPunctuation('(') || token.isPunctuation('[');
      boolean closes = token.isPunctuation(')') || token.isPunctuation(']');
      if (depth == 0 && (token.isPunctuation(',') || token.isPunctuation(')'))) {
        return;
      }
      if (!opens
          && !closes
          && !token.isIdentifier()
          && !token.isPunctuation('.')
          && !token.isPunctuation(',')
          && token.kind() != TokenKind.NUMBER) {
        return;
      }
      depth += opens ? 1 : closes ? -1 : 0;
      cursor.next();
    }
  }

  private static RecognitionException notLiteral(
      TokenCursor cursor, ApiFunction function, String name) {
    return new RecognitionException(
        RecognitionException.FEATURE_NOT_SUPPORTED,
        "arguments of "
            + function.qualifiedName()
            + " must be literals or parameters, but "
            + name
            + " has an expression at position "
            + cursor.position()
            + "; write a constant such as 'text' or $$text$$, or bind a value to ?");
  }

  private static TrickleCommand command(ApiFunction function, GivenArguments arguments)
      throws RecognitionException {
    String name = arguments.required("name");
    QualifiedName.parse(name);
    return switch (function) {
      case CREATE_STREAM_TABLE -> create(CreateMode.CREATE, name, arguments);
      case CREATE_STREAM_TABLE_IF_NOT_EXISTS -> create(CreateMode.IF_NOT_EXISTS, name, arguments);
      case CREATE_OR_REPLACE_STREAM_TABLE -> create(CreateMode.OR_REPLACE, name, arguments);
      case ALTER_STREAM_TABLE ->
          new AlterStreamTable(
              Form.FUNCTION_CALL,
              name,
              arguments.get("query") == null ? null : arguments.required("query"),
              arguments.optionsExcept("name", "query"));
      case DROP_STREAM_TABLE ->
          new DropStreamTable(
              Form.FUNCTION_CALL, name, false, arguments.booleanValue("cascade", false));
      case REFRESH_STREAM_TABLE -> new RefreshStreamTable(Form.FUNCTION_CALL, name);
      case RESUME_STREAM_TABLE -> new ResumeStreamTable(Form.FUNCTION_CALL, name);
    };
  }

  private static CreateStreamTable create(CreateMode mode, String name, GivenArguments arguments)
      throws RecognitionException {
    String query = arguments.required("query");
    arguments.booleanValue("initialize", true);
    return new CreateStreamTable(
        Form.FUNCTION_CALL, mode, name, query, arguments.optionsExcept("name", "query"));
  }
}
