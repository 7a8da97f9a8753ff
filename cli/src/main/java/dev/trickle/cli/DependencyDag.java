package dev.trickle.cli;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The stream tables of a database and the relations they read, as a DAG read from the catalog,
 * with a layered layout: sources (tables, views ...) in layer 0, each stream table one layer right
 * of its deepest input, ordered within a layer by the average position of its inputs (so edges
 * cross less). {@link DotWriter} and {@link SvgWriter} draw it.
 *
 * @param nodes in layout order: by layer, then position
 * @param edges from a source to the stream table reading it
 */
record DependencyDag(List<Node> nodes, List<Edge> edges) {
  /**
   * A relation.
   *
   * @param status the stream table's status, or null for a source that is not a stream table
   * @param mode the stream table's effective refresh mode, or the source's kind
   */
  record Node(String name, String status, String mode, int layer, int position) {
    boolean streamTable() {
      return status != null;
    }
  }

  /** {@code from} is read by {@code to}. */
  record Edge(String from, String to) {}

  private static final String QUERY =
      "SELECT format('%I.%I', s.pgt_schema, s.pgt_name), s.status, s.effective_mode,"
          + " format('%I.%I', d.source_schema, d.source_name), d.source_kind"
          + " FROM pgtrickle.pgt_stream_tables s"
          + " LEFT JOIN pgtrickle.pgt_dependencies d ON d.pgt_id = s.pgt_id"
          + " ORDER BY 1, 4";

  /** The DAG of the database {@code c} is connected to. */
  static DependencyDag read(Connection c) throws SQLException {
    Map<String, String[]> streamTables = new LinkedHashMap<>();
    Map<String, String> sourceKinds = new LinkedHashMap<>();
    List<Edge> edges = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(QUERY)) {
      while (rs.next()) {
        streamTables.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
        if (rs.getString(4) != null) {
          edges.add(new Edge(rs.getString(4), rs.getString(1)));
          sourceKinds.put(rs.getString(4), rs.getString(5).toLowerCase(Locale.ROOT));
        }
      }
    }
    return layOut(streamTables, sourceKinds, edges);
  }

  private static DependencyDag layOut(
      Map<String, String[]> streamTables, Map<String, String> sourceKinds, List<Edge> edges) {
    Map<String, List<String>> inputs = new HashMap<>();
    edges.forEach(e -> inputs.computeIfAbsent(e.to(), k -> new ArrayList<>()).add(e.from()));
    Map<String, Integer> layers = new HashMap<>();
    List<String> names = new ArrayList<>(sourceKinds.keySet());
    streamTables.keySet().stream().filter(n -> !names.contains(n)).forEach(names::add);
    names.forEach(n -> layer(n, inputs, layers));
    int deepest = layers.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    Map<String, Double> positions = new HashMap<>();
    List<Node> nodes = new ArrayList<>();
    for (int layer = 0; layer <= deepest; layer++) {
      int current = layer;
      List<String> inLayer =
          names.stream()
              .filter(n -> layers.get(n) == current)
              .sorted(
                  Comparator.comparingDouble((String n) -> barycenter(n, inputs, positions))
                      .thenComparing(Comparator.naturalOrder()))
              .toList();
      for (int i = 0; i < inLayer.size(); i++) {
        String name = inLayer.get(i);
        positions.put(name, (double) i);
        String[] st = streamTables.get(name);
        nodes.add(
            st == null
                ? new Node(name, null, sourceKinds.get(name), layer, i)
                : new Node(name, st[0], st[1], layer, i));
      }
    }
    return new DependencyDag(List.copyOf(nodes), List.copyOf(edges));
  }

  private static int layer(
      String name, Map<String, List<String>> inputs, Map<String, Integer> layers) {
    Integer known = layers.get(name);
    if (known != null) {
      return known;
    }
    layers.put(name, 0); // the catalog refuses cycles; this only guards the recursion
    int layer = 0;
    for (String input : inputs.getOrDefault(name, List.of())) {
      layer = Math.max(layer, layer(input, inputs, layers) + 1);
    }
    layers.put(name, layer);
    return layer;
  }

  private static double barycenter(
      String name, Map<String, List<String>> inputs, Map<String, Double> positions) {
    return inputs.getOrDefault(name, List.of()).stream()
        .mapToDouble(i -> positions.getOrDefault(i, 0.0))
        .average()
        .orElse(0);
  }

  /** The fill colour of a node: by status for stream tables, grey for other relations. */
  static String colour(Node node) {
    if (!node.streamTable()) {
      return "#e6e6e6";
    }
    return switch (node.status()) {
      case "ACTIVE" -> "#c8e6c0";
      case "INITIALIZING" -> "#fff0a8";
      case "SUSPENDED" -> "#ffd08a";
      case "ERROR" -> "#f2a5a5";
      default -> "#ffffff";
    };
  }

  /** The second line of a node's label. */
  static String detail(Node node) {
    return node.streamTable() ? node.status() + " · " + node.mode() : node.mode();
  }
}
