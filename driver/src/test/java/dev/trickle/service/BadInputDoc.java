package dev.trickle.service;

import java.util.List;

/** Renders the catalogue of bad inputs as {@code docs/bad-inputs.md}. */
final class BadInputDoc {
  private BadInputDoc() {}

  static String render(List<BadInputCase> cases) {
    StringBuilder out = new StringBuilder();
    out.append("# Bad inputs and how Trickle refuses them\n\n")
        .append("Every row is a case of `BadInputCatalogTest` (generated from `BadInputCases`; the test\n")
        .append("fails when this file and the table differ, `-Dbadinputs.update=true` rewrites it). For each,\n")
        .append("the test checks the SQLSTATE, that the message contains the fragments listed (the object and\n")
        .append("the remedy), that nothing was created or changed (stream-table catalog rows, relations,\n")
        .append("triggers, functions, change buffers, rows), and that the connection is still usable.\n\n")
        .append("Fixture: tables `src (id int PRIMARY KEY, v int, d int)` and `plain (a int)`, a view `vw`,\n")
        .append("a sequence `seq1` and the DIFFERENTIAL stream table `st_ok` (`SELECT id, v FROM src`), owned\n")
        .append("by the owner role; `nobody` has only LOGIN and CONNECT; `writer` may read and write `src` and\n")
        .append("`plain`, read `st_ok`, and create tables in `public`.\n\n")
        .append("| case | group | by | input | SQLSTATE | message contains |\n")
        .append("|---|---|---|---|---|---|\n");
    for (BadInputCase c : cases) {
      out.append("| ").append(c.id())
          .append(" | ").append(c.group())
          .append(" | ").append(c.role().name().toLowerCase(java.util.Locale.ROOT))
          .append(" | ").append(code(setupNote(c) + c.sql()))
          .append(" | `").append(c.sqlState()).append('`')
          .append(" | ").append(String.join("; ", c.message().stream().map(BadInputDoc::code).toList()))
          .append(" |\n");
    }
    return out.toString();
  }

  private static String setupNote(BadInputCase c) {
    return c.setup().isEmpty() ? "" : String.join("; ", c.setup()) + "; then ";
  }

  private static String code(String text) {
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`";
  }
}
