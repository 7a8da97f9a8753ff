package dev.trickle.cli;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link DependencyDag} as a self-contained SVG (no scripts, fonts or external files):
 * its layers as columns left to right, each node a rounded box filled by status (green ACTIVE,
 * yellow INITIALIZING, orange SUSPENDED, red ERROR, grey for relations that are not stream tables)
 * with the name and status · mode, each edge a curve with an arrowhead, and a legend.
 */
final class SvgWriter {
  private static final int CHAR_WIDTH = 7;
  private static final int NODE_HEIGHT = 40;
  private static final int ROW_GAP = 24;
  private static final int COLUMN_GAP = 70;
  private static final int MARGIN = 20;
  private static final int LEGEND_HEIGHT = 40;

  private SvgWriter() {}

  /** The SVG document of {@code dag}. */
  static String write(DependencyDag dag) {
    Map<Integer, Integer> columnWidths = new HashMap<>();
    int rows = 0;
    for (DependencyDag.Node node : dag.nodes()) {
      int width =
          CHAR_WIDTH * Math.max(node.name().length(), DependencyDag.detail(node).length()) + 24;
      columnWidths.merge(node.layer(), width, Math::max);
      rows = Math.max(rows, node.position() + 1);
    }
    Map<Integer, Integer> columnX = new HashMap<>();
    int x = MARGIN;
    for (int layer = 0; columnWidths.containsKey(layer); layer++) {
      columnX.put(layer, x);
      x += columnWidths.get(layer) + COLUMN_GAP;
    }
    int width = Math.max(x - COLUMN_GAP + MARGIN, 420);
    int height = MARGIN * 2 + LEGEND_HEIGHT + Math.max(rows, 1) * (NODE_HEIGHT + ROW_GAP);
    Map<String, int[]> boxes = new HashMap<>();
    for (DependencyDag.Node node : dag.nodes()) {
      boxes.put(
          node.name(),
          new int[] {
            columnX.get(node.layer()),
            MARGIN + LEGEND_HEIGHT + node.position() * (NODE_HEIGHT + ROW_GAP),
            columnWidths.get(node.layer())
          });
    }

    StringBuilder svg = new StringBuilder();
    svg.append(
            String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                    + " viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\""
                    + " font-size=\"12\">%n",
                width, height, width, height))
        .append("<title>Trickle stream tables</title>\n")
        .append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\"")
        .append(" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">")
        .append("<path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>\n")
        .append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    legend(svg);
    for (DependencyDag.Edge edge : dag.edges()) {
      int[] from = boxes.get(edge.from());
      int[] to = boxes.get(edge.to());
      int x1 = from[0] + from[2];
      int y1 = from[1] + NODE_HEIGHT / 2;
      int x2 = to[0];
      int y2 = to[1] + NODE_HEIGHT / 2;
      int bend = (x2 - x1) / 2;
      svg.append(
          String.format(
              Locale.ROOT,
              "<path d=\"M %d %d C %d %d, %d %d, %d %d\" fill=\"none\" stroke=\"#555\""
                  + " marker-end=\"url(#arrow)\"/>%n",
              x1, y1, x1 + bend, y1, x2 - bend, y2, x2, y2));
    }
    for (DependencyDag.Node node : dag.nodes()) {
      int[] box = boxes.get(node.name());
      svg.append(
              String.format(
                  Locale.ROOT,
                  "<g><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" fill=\"%s\""
                      + " stroke=\"#333\"%s/>%n",
                  box[0], box[1], box[2], NODE_HEIGHT, DependencyDag.colour(node),
                  node.streamTable() ? "" : " stroke-dasharray=\"4 2\""))
          .append(text(box[0] + 10, box[1] + 17, node.name(), true))
          .append(text(box[0] + 10, box[1] + 32, DependencyDag.detail(node), false))
          .append("</g>\n");
    }
    return svg.append("</svg>\n").toString();
  }

  private static void legend(StringBuilder svg) {
    String[][] entries = {
      {"ACTIVE", "#c8e6c0"}, {"INITIALIZING", "#fff0a8"}, {"SUSPENDED", "#ffd08a"},
      {"ERROR", "#f2a5a5"}, {"source", "#e6e6e6"}
    };
    int x = MARGIN;
    for (String[] entry : entries) {
      svg.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\""
                      + " stroke=\"#333\"/>%n",
                  x,
                  MARGIN,
                  entry[1]))
          .append(text(x + 16, MARGIN + 10, entry[0], false));
      x += 16 + CHAR_WIDTH * entry[0].length() + 14;
    }
  }

  private static String text(int x, int y, String content, boolean bold) {
    return String.format(
        Locale.ROOT,
        "<text x=\"%d\" y=\"%d\"%s>%s</text>%n",
        x, y, bold ? " font-weight=\"bold\"" : "", escape(content));
  }

  /** XML text: the five characters that matter escaped. */
  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&apos;");
  }
}
