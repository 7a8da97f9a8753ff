package dev.trickle.ivm;

/** PostgreSQL's folding of identifiers as written in a query: quoted kept, unquoted lower-cased. */
final class Names {
  private Names() {}

  /** The catalog name for {@code written}, or null for null. */
  static String fold(String written) {
    if (written == null) {
      return null;
    }
    if (written.length() >= 2 && written.startsWith("\"") && written.endsWith("\"")) {
      return written.substring(1, written.length() - 1).replace("\"\"", "\"");
    }
    return written.toLowerCase(java.util.Locale.ROOT);
  }

  /** The folded column names an alias gives ({@code AS s(a, b)}), or none. */
  static java.util.List<String> aliasColumns(net.sf.jsqlparser.expression.Alias alias) {
    if (alias == null || alias.getAliasColumns() == null) {
      return java.util.List.of();
    }
    return alias.getAliasColumns().stream().map(c -> fold(c.name)).toList();
  }
}
