package dev.trickle.jdbc;

import dev.trickle.rewriter.command.CommandRecognizer;
import dev.trickle.rewriter.command.ParameterValues;
import dev.trickle.rewriter.command.RecognitionException;
import dev.trickle.rewriter.command.TrickleCommand;
import dev.trickle.rewriter.scan.StatementScanner;
import dev.trickle.rewriter.scan.StatementSplitter;
import dev.trickle.service.CommandExecutor;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * The one place SQL text from the application enters Trickle; every wrapper method that takes SQL
 * text comes here. One per connection.
 *
 * <p><b>Hot path.</b> {@link #concernsTrickle} runs the allocation-free {@link StatementScanner};
 * when it says no, the wrapper calls its delegate with the text as given and nothing else happens.
 *
 * <p><b>Stream-table path.</b> The text is split into statements and each is recognized before any
 * runs (a malformed command stops the whole text). If none is a command, the original text goes to
 * the delegate unchanged, so monitoring calls and scripts keep PgJDBC's semantics. Otherwise the
 * statements run in order: commands through {@link CommandExecutor#execute} on the physical
 * connection (the executor owns transactions, so autocommit on and off both work), other statements
 * through the delegate statement. Split statements are separate round trips: with autocommit on
 * they commit one by one.
 *
 * <p><b>Result shape.</b> The last statement's result is current, and the JDBC method the
 * application called produces it, so {@code executeQuery}/{@code executeUpdate} accept and refuse
 * exactly as for PostgreSQL's own statements. When the last statement is a command, the {@code
 * execute}, {@code executeQuery}, {@code executeUpdate} and {@code executeLargeUpdate} of a plain
 * or prepared statement make its result on the client ({@link CommandResult}, no round trip);
 * otherwise (callable statements, the generated-keys variants) the delegate runs a statement of the
 * same shape after the command has run:
 *
 * <ul>
 *   <li>{@code Form.FUNCTION_CALL}: {@code SELECT ''::void AS "<function name>"}, one row with one
 *       column of type {@code void}, exactly what calling a void function returns (a non-null empty
 *       value; {@code NULL::void} would differ in {@code wasNull()});
 *   <li>{@code Form.DDL}: {@code DO $$BEGIN END$$}: no result set, update count 0, like {@code
 *       CREATE TABLE}.
 * </ul>
 *
 * Either way {@code getResultSet}, {@code getUpdateCount}, {@code getMoreResults} and result
 * metadata come from PgJDBC's own result classes and stay consistent.
 *
 * <p><b>Prepared statements.</b> A prepared text that holds a command must be that one command
 * (scripts are refused with 0A000). The delegate is prepared with the shape statement above,
 * carrying the same number of {@code ?} placeholders ({@code FROM (VALUES (?::text, ...))}) so
 * parameter setters and parameter metadata behave as usual; the values are also recorded as text
 * and the command is recognized again with them at execute time. DDL with placeholders is refused
 * with 0A000 (PostgreSQL cannot bind parameters in DDL either). A text that holds no command is
 * prepared unchanged.
 *
 * <p><b>Batches.</b> A command cannot be added to a batch: {@code addBatch} refuses it with 0A000
 * at once, before anything runs, because a batch's all-or-nothing update counts cannot describe a
 * command that commits its own transaction. Other statements batch as usual.
 *
 * <p><b>Errors.</b> Every method here is the driver's error boundary ({@link ErrorBoundary}): an
 * unexpected exception of Trickle's code comes out as an {@link SQLException} with SQLSTATE XX000.
 *
 * <p>The SQL-taking methods {@code PreparedStatement} inherits from {@code Statement} are not
 * routed: PgJDBC refuses them on prepared statements, before anything runs.
 */
final class StatementRouter {
  private static final String DDL_SHAPE = "DO $$BEGIN END$$";

  private final Connection physical;
  private final CommandExecutor executor;
  private final Properties settings;

  /** One call of a delegate method with (possibly replaced) SQL text. */
  @FunctionalInterface
  interface DelegateCall<T> {
    T call(String sql) throws SQLException;
  }

  /** What a wrapper method returns when a text ends with a command, which has run. */
  @FunctionalInterface
  interface CommandCall<T> {
    T resultOf(TrickleCommand command) throws SQLException;
  }

  StatementRouter(Connection physical, CommandExecutor executor, Properties settings) {
    this.physical = physical;
    this.executor = executor;
    this.settings = settings;
  }

  /** The hot-path test: false means {@code sql} goes to the delegate untouched. */
  static boolean concernsTrickle(String sql) throws SQLException {
    try {
      return sql != null && StatementScanner.mayConcernTrickle(sql);
    } catch (RuntimeException | Error e) {
      throw ErrorBoundary.internal(sql, e);
    }
  }

  /**
   * Runs text that {@link #concernsTrickle concerns Trickle} on {@code delegate}.
   *
   * @param result the delegate method the application called; it runs the last statement (or its
   *     result shape) so its result is current
   */
  <T> T execute(Statement delegate, String sql, DelegateCall<T> result) throws SQLException {
    return execute(delegate, sql, result, command -> result.call(resultShape(command, 0)));
  }

  /**
   * Like {@link #execute(Statement, String, DelegateCall)}, for a wrapper that makes a command's
   * result itself ({@link CommandResult}): when the last statement is a command, {@code
   * commandResult} answers instead of the delegate running the result shape.
   */
  <T> T execute(
      Statement delegate, String sql, DelegateCall<T> result, CommandCall<T> commandResult)
      throws SQLException {
    return ErrorBoundary.guard(sql, () -> route(delegate, sql, result, commandResult));
  }

  private <T> T route(
      Statement delegate, String sql, DelegateCall<T> result, CommandCall<T> commandResult)
      throws SQLException {
    requireOpen(delegate);
    List<String> statements = StatementSplitter.split(sql);
    List<TrickleCommand> commands = recognizeAll(statements);
    if (commands.stream().allMatch(Objects::isNull)) {
      return result.call(sql);
    }
    int last = statements.size() - 1;
    for (int i = 0; i < last; i++) {
      if (commands.get(i) == null) {
        delegate.execute(statements.get(i));
      } else {
        executor.execute(physical, commands.get(i), settings);
      }
    }
    TrickleCommand lastCommand = commands.get(last);
    if (lastCommand == null) {
      return result.call(statements.get(last));
    }
    executor.execute(physical, lastCommand, settings);
    return commandResult.resultOf(lastCommand);
  }

  /** Adds {@code sql} to the delegate's batch, refusing stream-table commands (0A000). */
  void addBatch(Statement delegate, String sql) throws SQLException {
    if (concernsTrickle(sql)
        && ErrorBoundary.guard(
            sql,
            () -> recognizeAll(StatementSplitter.split(sql)).stream().anyMatch(Objects::nonNull))) {
      throw batchRefusal(sql);
    }
    delegate.addBatch(sql);
  }

  /**
   * The driver's form of {@code sql}: PgJDBC's escape translation, the same for every statement.
   */
  String nativeSql(String sql) throws SQLException {
    return physical.nativeSQL(sql);
  }

  /**
   * Prepares {@code sql}: the command it holds, or null when it holds none and is prepared as is.
   *
   * @throws SQLException 0A000 for a script with a command or for DDL with placeholders; the
   *     recognizer's SQLState for a malformed command
   */
  PreparedCommand prepare(String sql) throws SQLException {
    if (!concernsTrickle(sql)) {
      return null;
    }
    return ErrorBoundary.guard(sql, () -> prepareCommand(sql));
  }

  private PreparedCommand prepareCommand(String sql) throws SQLException {
    List<String> statements = StatementSplitter.split(sql);
    List<TrickleCommand> commands = recognizeAll(statements, PreparedCommand.UNKNOWN_VALUES);
    if (commands.stream().allMatch(Objects::isNull)) {
      return null;
    }
    if (statements.size() > 1) {
      throw new SQLException(
          "a prepared statement can hold only one stream-table command, not a script of "
              + statements.size()
              + " statements; run scripts with Statement.execute",
          "0A000");
    }
    TrickleCommand command = commands.get(0);
    int placeholders = Placeholders.count(statements.get(0));
    if (command.form() == TrickleCommand.Form.DDL && placeholders > 0) {
      throw new SQLException(
          "stream-table DDL cannot take ? placeholders; write the values as literals, or call"
              + " pgtrickle."
              + command.functionName()
              + "(...) which takes them",
          "0A000");
    }
    return new PreparedCommand(statements.get(0), placeholders, resultShape(command, placeholders));
  }

  /** The SQL a delegate is prepared with for {@code sql} and the result of {@link #prepare}. */
  static String preparedSql(String sql, PreparedCommand command) {
    return command == null ? sql : command.delegateSql();
  }

  /**
   * Runs a prepared command with its bound values and returns it as recognized with them; the
   * caller then makes its result ({@link CommandResult}) or executes the delegate, which holds the
   * result shape.
   */
  TrickleCommand execute(Statement delegate, PreparedCommand prepared, BoundParameters values)
      throws SQLException {
    return execute(delegate, prepared, values, command -> command);
  }

  /**
   * Like {@link #execute(Statement, PreparedCommand, BoundParameters)}, for a wrapper that makes
   * the command's result itself ({@link CommandResult}) inside the error boundary.
   */
  <T> T execute(
      Statement delegate,
      PreparedCommand prepared,
      BoundParameters values,
      CommandCall<T> commandResult)
      throws SQLException {
    return ErrorBoundary.guard(
        prepared.statement(),
        () -> commandResult.resultOf(executePrepared(delegate, prepared, values)));
  }

  private TrickleCommand executePrepared(
      Statement delegate, PreparedCommand prepared, BoundParameters values) throws SQLException {
    requireOpen(delegate);
    values.requireReadable(prepared.placeholders());
    TrickleCommand command = recognize(prepared.statement(), values);
    if (command == null) {
      throw new SQLException(
          "internal error: the statement was a stream-table command when prepared but is not with"
              + " its values: "
              + prepared.statement(),
          "XX000");
    }
    executor.execute(physical, command, settings);
    return command;
  }

  /** The 0A000 refusal of a stream-table command in a batch. */
  static SQLException batchRefusal(String sql) {
    return new SQLException(
        "stream-table commands cannot be batched; execute them one at a time: " + sql, "0A000");
  }

  private static void requireOpen(Statement delegate) throws SQLException {
    if (delegate.isClosed()) {
      throw new SQLException("This statement has been closed.", "55000");
    }
  }

  private static List<TrickleCommand> recognizeAll(List<String> statements) throws SQLException {
    return recognizeAll(statements, ParameterValues.NONE);
  }

  /** One entry per statement: its command, or null when it passes through. */
  private static List<TrickleCommand> recognizeAll(List<String> statements, ParameterValues values)
      throws SQLException {
    List<TrickleCommand> commands = new ArrayList<>(statements.size());
    for (String statement : statements) {
      commands.add(recognize(statement, values));
    }
    return commands;
  }

  private static TrickleCommand recognize(String statement, ParameterValues values)
      throws SQLException {
    try {
      return CommandRecognizer.recognize(statement, values).orElse(null);
    } catch (RecognitionException e) {
      throw new SQLException(e.getMessage(), e.getSqlState(), e);
    } catch (IllegalArgumentException e) {
      throw new SQLException(
          "? placeholders in a stream-table command need a PreparedStatement with bound values: "
              + statement,
          "42601",
          e);
    }
  }

  /** The statement whose result looks like the command's (see the class comment). */
  private static String resultShape(TrickleCommand command, int placeholders) {
    if (command.form() == TrickleCommand.Form.DDL) {
      return DDL_SHAPE;
    }
    StringBuilder sql =
        new StringBuilder("SELECT ''::void AS ").append(Sql.identifier(command.functionName()));
    if (placeholders > 0) {
      sql.append(" FROM (VALUES (");
      for (int i = 0; i < placeholders; i++) {
        sql.append(i == 0 ? "?::text" : ", ?::text");
      }
      sql.append(")) AS parameters");
    }
    return sql.toString();
  }
}
