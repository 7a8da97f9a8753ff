package dev.trickle.cli;

/** Writes a {@link DependencyDag} as Graphviz DOT, left to right, nodes filled by status. */
final class DotWriter {
  private DotWriter() {}

  /** The DOT text of {@code dag}. */
  static String write(DependencyDag dag) {
    StringBuilder dot = new StringBuilder();
    dot.append("digraph trickle {\n")
        .append("  rankdir=LR;\n")
        .append("  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n");
    for (DependencyDag.Node node : dag.nodes()) {
      dot.append("  ")
          .append(id(node.name()))
          .append(" [label=")
          .append(id(node.name() + "\n" + DependencyDag.detail(node)))
          .append(", fillcolor=\"")
          .append(DependencyDag.colour(node))
          .append('"')
          .append(node.streamTable() ? "" : ", style=\"filled\"")
          .append("];\n");
    }
    for (DependencyDag.Edge edge : dag.edges()) {
      dot.append("  ").append(id(edge.from())).append(" -> ").append(id(edge.to())).append(";\n");
    }
    return dot.append("}\n").toString();
  }

  /** A quoted DOT ID: backslashes and quotes escaped, line breaks as {@code \n}. */
  private static String id(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
  }
}
