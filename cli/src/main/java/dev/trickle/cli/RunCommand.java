package dev.trickle.cli;

import dev.trickle.rewriter.scan.StatementSplitter;
import dev.trickle.rewriter.scan.StatementSplitter.Statement;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trickle run FILE.sql}: executes a script statement by statement through the Trickle driver
 * and prints every result like psql (tables, command tags, warnings and notices). It stops at the
 * first error, printing the error and where the failing statement starts ({@code at
 * FILE:LINE:COL}), and exits with status 1.
 */
@Command(
    name = "run",
    description = "Run a SQL script through the Trickle driver, printing every result like psql.")
final class RunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The SQL script to run.")
  Path script;

  @Mixin ConnectionOptions connection;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Statement> statements;
    try {
      statements = StatementSplitter.splitWithPositions(Files.readString(script));
    } catch (NoSuchFileException e) {
      err.println("ERROR: cannot read " + script + ": no such file");
      err.flush();
      return 1;
    } catch (IOException e) {
      err.println("ERROR: cannot read " + script + ": " + e.getMessage());
      err.flush();
      return 1;
    }
    return Sessions.run(
        connection,
        err,
        session -> {
          StatementExecutor executor =
              new StatementExecutor(
                  session.connection(), out, err, session.another(), ProgressLine.Pacing.SCRIPT);
          for (Statement statement : statements) {
            try {
              executor.execute(statement.sql());
            } catch (SQLException e) {
              out.flush();
              ServerMessages.error(e).forEach(err::println);
              err.println("at " + script + ":" + statement.line() + ":" + statement.column());
              err.flush();
              return 1;
            }
          }
          return 0;
        });
  }
}
