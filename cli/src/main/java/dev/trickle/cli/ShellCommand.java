package dev.trickle.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code trickle shell}: interactive SQL through the Trickle driver on the system terminal (a dumb
 * one when input is not a terminal), with history in {@code ~/.trickle_history}.
 */
@Command(
    name = "shell",
    description = "Interactive SQL through the Trickle driver, with line editing and history.")
final class ShellCommand implements Callable<Integer> {
  @Mixin ConnectionOptions connection;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Path history = Path.of(System.getProperty("user.home"), ".trickle_history");
    return Sessions.run(
        connection,
        err,
        session -> {
          try (Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).build()) {
            new Shell(session.connection(), terminal, history, session.another()).run();
          }
          return 0;
        });
  }
}
