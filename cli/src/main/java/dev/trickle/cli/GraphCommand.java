package dev.trickle.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trickle graph}: the dependency DAG of a database's stream tables, as Graphviz DOT (for
 * {@code dot -Tpng}) or as a self-contained SVG to open in a browser, nodes coloured by status.
 */
@Command(
    name = "graph",
    description =
        "Write the dependency graph of the stream tables as Graphviz DOT or a self-contained SVG,"
            + " nodes coloured by status.")
final class GraphCommand implements Callable<Integer> {
  /** The output formats. */
  enum Format {
    dot,
    svg
  }

  @Mixin ConnectionOptions connection;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "dot",
      description = "dot or svg (default dot).")
  Format format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write to FILE instead of standard output.")
  Path output;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return Sessions.run(
        connection,
        err,
        session -> {
          DependencyDag dag = DependencyDag.read(session.connection());
          String text = format == Format.svg ? SvgWriter.write(dag) : DotWriter.write(dag);
          if (output == null) {
            out.print(text);
            out.flush();
          } else {
            Files.writeString(output, text);
            err.println("wrote " + output + " (" + dag.nodes().size() + " relations, "
                + dag.edges().size() + " dependencies)");
            err.flush();
          }
          return 0;
        });
  }
}
