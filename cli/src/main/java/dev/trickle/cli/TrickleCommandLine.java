package dev.trickle.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code trickle} command and its subcommands. Each subcommand is one class listed in {@code
 * subcommands} below; those that talk to a database mix in {@link ConnectionOptions} and run their
 * work through {@link Sessions}, so adding one (for example {@code trickle scheduler}) is one class
 * and one entry here. Help and version options ({@code -h}, {@code -V}) are inherited by every
 * subcommand.
 */
@Command(
    name = "trickle",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = TrickleCommandLine.Version.class,
    description =
        "Stream tables for PostgreSQL: a SQL shell, a script runner and the standalone refresh"
            + " scheduler, a status view and a dependency graph, using the Trickle driver.",
    subcommands = {
      ShellCommand.class,
      RunCommand.class,
      SchedulerCommand.class,
      StatusCommand.class,
      GraphCommand.class
    })
final class TrickleCommandLine implements Runnable {
  @Spec CommandSpec spec;

  /** The command line to {@code execute(args)}. */
  static CommandLine create() {
    return new CommandLine(new TrickleCommandLine());
  }

  /** {@code trickle} alone names no subcommand: a usage error. */
  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "Missing subcommand: shell, run, scheduler, status or graph");
  }

  /** The version recorded in the jar's manifest (absent when run from classes). */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = TrickleCommandLine.class.getPackage().getImplementationVersion();
      return new String[] {"trickle " + (version == null ? "(development build)" : version)};
    }
  }
}
