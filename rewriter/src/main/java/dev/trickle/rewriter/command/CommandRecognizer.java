package dev.trickle.rewriter.command;

import dev.trickle.rewriter.command.Tokens.Kind;
import dev.trickle.rewriter.command.Tokens.Token;
import dev.trickle.rewriter.command.TrickleCommand.CreateMode;
import dev.trickle.rewriter.command.TrickleCommand.Form;
import dev.trickle.rewriter.scan.StatementScanner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Recognizes one statement as a stream-table API command, in the function-call form ({@code SELECT
 * pgtrickle.refresh_stream_table('x')}, positional or {@code name => value} arguments) or the DDL
 * form ({@code CREATE STREAM TABLE ... AS ...}, {@code CREATE EXTENSION pg_trickle}, ...). Any
 * other statement, monitoring calls included, is not ours: the result is empty. Values are not
 * validated here (they may be unknown when a statement is prepared); the service does that.
 */
public final class CommandRecognizer {
  private static final List<String> CREATE_PARAMETERS =
      List.of(
          "name",
          "query",
          "schedule",
          "refresh_mode",
          "initialize",
          "diamond_consistency",
          "diamond_schedule_policy",
          "cdc_mode");
  private static final List<String> ALTER_PARAMETERS =
      List.of(
          "name",
          "query",
          "schedule",
          "refresh_mode",
          "status",
          "diamond_consistency",
          "diamond_schedule_policy",
          "cdc_mode");
  private static final Map<String, List<String>> FUNCTIONS =
      Map.of(
          "create_stream_table", CREATE_PARAMETERS,
          "create_stream_table_if_not_exists", CREATE_PARAMETERS,
          "create_or_replace_stream_table", CREATE_PARAMETERS,
          "alter_stream_table", ALTER_PARAMETERS,
          "drop_stream_table", List.of("name", "cascade"),
          "refresh_stream_table", List.of("name"),
          "resume_stream_table", List.of("name"));

  private CommandRecognizer() {}

  /**
   * The command {@code statement} spells, or empty when it is not a stream-table API command.
   *
   * @param statement one statement, without a trailing semicolon
   * @param params the values bound to its {@code ?} placeholders
   * @throws RecognitionException when the statement addresses the API but is malformed
   */
  public static Optional<TrickleCommand> recognize(String statement, ParameterValues params)
      throws RecognitionException {
    if (!StatementScanner.mayConcernTrickle(statement)) {
      return Optional.empty();
    }
    Tokens tokens = new Tokens(statement);
    if (tokens.acceptWord("select")) {
      return functionCall(tokens, params);
    }
    if (tokens.acceptWord("create")) {
      return create(tokens, params);
    }
    if (tokens.acceptWord("alter") && tokens.acceptWord("stream")) {
      return Optional.of(alter(tokens, params));
    }
    if (tokens.acceptWord("drop")) {
      return drop(tokens);
    }
    if (tokens.acceptWord("refresh") && tokens.acceptWord("stream")) {
      tokens.expectWord("table");
      String name = tokens.qualifiedName();
      tokens.expectEnd();
      return Optional.of(new TrickleCommand.RefreshStreamTable(Form.DDL, name));
    }
    return Optional.empty();
  }

  private static Optional<TrickleCommand> functionCall(Tokens tokens, ParameterValues params)
      throws RecognitionException {
    Token schema = tokens.peek();
    if (schema == null
        || schema.kind() != Kind.WORD && schema.kind() != Kind.QUOTED_IDENTIFIER
        || !tokens.identifier().equals("pgtrickle")
        || !tokens.acceptSymbol(".")) {
      return Optional.empty();
    }
    String function = tokens.identifier();
    List<String> parameters = FUNCTIONS.get(function);
    if (parameters == null) {
      return Optional.empty();
    }
    Map<String, String> arguments = arguments(tokens, params, function, parameters);
    tokens.expectEnd();
    if (!arguments.containsKey("name")) {
      throw new RecognitionException(
          "pgtrickle." + function + " needs the stream table name as its first argument", "22023");
    }
    String name = arguments.remove("name");
    return Optional.of(
        switch (function) {
          case "refresh_stream_table" ->
              new TrickleCommand.RefreshStreamTable(Form.FUNCTION_CALL, name);
          case "resume_stream_table" ->
              new TrickleCommand.ResumeStreamTable(Form.FUNCTION_CALL, name);
          case "drop_stream_table" ->
              new TrickleCommand.DropStreamTable(
                  Form.FUNCTION_CALL, name, false, isTrue(arguments.get("cascade")));
          case "alter_stream_table" ->
              new TrickleCommand.AlterStreamTable(
                  Form.FUNCTION_CALL,
                  name,
                  arguments.remove("query"),
                  StreamTableOptions.of(arguments));
          default ->
              new TrickleCommand.CreateStreamTable(
                  Form.FUNCTION_CALL,
                  function.endsWith("if_not_exists")
                      ? CreateMode.IF_NOT_EXISTS
                      : function.startsWith("create_or_replace")
                          ? CreateMode.OR_REPLACE
                          : CreateMode.CREATE,
                  name,
                  arguments.remove("query"),
                  StreamTableOptions.of(arguments));
        });
  }

  private static Map<String, String> arguments(
      Tokens tokens, ParameterValues params, String function, List<String> parameters)
      throws RecognitionException {
    Map<String, String> arguments = new LinkedHashMap<>();
    tokens.expectSymbol("(");
    int position = 0;
    while (!tokens.acceptSymbol(")")) {
      if (position > 0) {
        tokens.expectSymbol(",");
      }
      String parameter;
      Token first = tokens.peek();
      if (first != null && first.kind() == Kind.WORD && isNamedArgument(tokens)) {
        parameter = tokens.identifier();
        tokens.expectSymbol("=>");
        if (!parameters.contains(parameter)) {
          throw new RecognitionException(
              "pgtrickle."
                  + function
                  + " has no parameter "
                  + parameter
                  + "; its parameters are "
                  + parameters,
              "22023");
        }
      } else if (position < parameters.size()) {
        parameter = parameters.get(position);
      } else {
        throw new RecognitionException(
            "pgtrickle." + function + " takes at most " + parameters.size() + " arguments",
            "22023");
      }
      arguments.put(parameter, value(tokens, params));
      position++;
    }
    return arguments;
  }

  private static boolean isNamedArgument(Tokens tokens) throws RecognitionException {
    Token word = tokens.next();
    boolean named = tokens.peek() != null && tokens.peek().text().equals("=>");
    tokens.back(word);
    return named;
  }

  private static Optional<TrickleCommand> create(Tokens tokens, ParameterValues params)
      throws RecognitionException {
    boolean orReplace = tokens.acceptWord("or");
    if (orReplace) {
      tokens.expectWord("replace");
    }
    if (!orReplace && tokens.acceptWord("extension")) {
      boolean ifNotExists = tokens.acceptWord("if");
      if (ifNotExists) {
        tokens.expectWord("not");
        tokens.expectWord("exists");
      }
      if (!tokens.identifier().equals("pg_trickle")) {
        return Optional.empty();
      }
      tokens.expectEnd();
      return Optional.of(new TrickleCommand.CreateExtension(ifNotExists));
    }
    if (!tokens.acceptWord("stream")) {
      return Optional.empty();
    }
    tokens.expectWord("table");
    CreateMode mode = orReplace ? CreateMode.OR_REPLACE : CreateMode.CREATE;
    if (tokens.acceptWord("if")) {
      tokens.expectWord("not");
      tokens.expectWord("exists");
      mode = CreateMode.IF_NOT_EXISTS;
    }
    String name = tokens.qualifiedName();
    Map<String, String> options = tokens.acceptWord("with") ? options(tokens, params) : Map.of();
    tokens.expectWord("as");
    return Optional.of(
        new TrickleCommand.CreateStreamTable(
            Form.DDL, mode, name, tokens.rest(), StreamTableOptions.of(options)));
  }

  private static TrickleCommand alter(Tokens tokens, ParameterValues params)
      throws RecognitionException {
    tokens.expectWord("table");
    String name = tokens.qualifiedName();
    tokens.expectWord("set");
    Map<String, String> options = options(tokens, params);
    tokens.expectEnd();
    String query = options.remove("query");
    return new TrickleCommand.AlterStreamTable(
        Form.DDL, name, query, StreamTableOptions.of(options));
  }

  private static Optional<TrickleCommand> drop(Tokens tokens) throws RecognitionException {
    boolean extension = tokens.acceptWord("extension");
    if (!extension && !tokens.acceptWord("stream")) {
      return Optional.empty();
    }
    if (!extension) {
      tokens.expectWord("table");
    }
    boolean ifExists = tokens.acceptWord("if");
    if (ifExists) {
      tokens.expectWord("exists");
    }
    String name = extension ? tokens.identifier() : tokens.qualifiedName();
    if (extension && !name.equals("pg_trickle")) {
      return Optional.empty();
    }
    boolean cascade = tokens.acceptWord("cascade");
    if (!cascade) {
      tokens.acceptWord("restrict");
    }
    tokens.expectEnd();
    return Optional.of(
        extension
            ? new TrickleCommand.DropExtension(ifExists, cascade)
            : new TrickleCommand.DropStreamTable(Form.DDL, name, ifExists, cascade));
  }

  private static Map<String, String> options(Tokens tokens, ParameterValues params)
      throws RecognitionException {
    Map<String, String> options = new LinkedHashMap<>();
    tokens.expectSymbol("(");
    do {
      String key = tokens.identifier();
      tokens.expectSymbol("=");
      options.put(key, value(tokens, params));
    } while (tokens.acceptSymbol(","));
    tokens.expectSymbol(")");
    return options;
  }

  /** A literal, {@code ?}, NULL, boolean, number or bare word, with an optional {@code ::type}. */
  private static String value(Tokens tokens, ParameterValues params) throws RecognitionException {
    Token t = tokens.next();
    String value =
        switch (t.kind()) {
          case STRING, NUMBER -> t.text();
          case PARAMETER -> params.valueAt(t.parameterIndex());
          case WORD -> t.text().equalsIgnoreCase("null") ? null : t.text().toLowerCase(Locale.ROOT);
          default -> {
            tokens.back(t);
            throw tokens.unexpected("expected a value ('text', $$text$$, a number, NULL or ?)");
          }
        };
    while (tokens.acceptSymbol("::")) {
      tokens.identifier();
    }
    return value;
  }

  private static boolean isTrue(String value) throws RecognitionException {
    if (value == null) {
      return false;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true", "t", "on", "yes", "1" -> true;
      case "false", "f", "off", "no", "0" -> false;
      default ->
          throw new RecognitionException("cascade must be true or false, not " + value, "22023");
    };
  }
}
