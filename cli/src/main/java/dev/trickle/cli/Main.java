package dev.trickle.cli;

/** Entry point of the {@code trickle} executable jar; exits with the subcommand's status. */
public final class Main {
  private Main() {}

  /** Runs {@code trickle ARGS}. */
  public static void main(String[] args) {
    System.exit(TrickleCommandLine.create().execute(args));
  }
}
