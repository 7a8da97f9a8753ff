package dev.trickle.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * What one in-process invocation of {@code trickle ARGS} returned and printed (lines end in \n).
 */
record Outcome(int status, String out, String err) {
  /** Runs {@code trickle args} with captured output. */
  static Outcome of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = TrickleCommandLine.create();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int status = cli.execute(args);
    return new Outcome(status, unixLines(out), unixLines(err));
  }

  private static String unixLines(StringWriter text) {
    return text.toString().replace(System.lineSeparator(), "\n");
  }
}
