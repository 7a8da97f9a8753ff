package dev.trickle.ivm;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The one place that turns names and values into SQL text: every identifier the compiler emits is
 * quoted here, and every literal is escaped here.
 */
public final class Sql {
  private Sql() {}

  /** {@code "name"} with embedded quotes doubled. */
  public static String ident(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** {@code "schema"."name"}, or {@code "name"} when schema is null. */
  public static String qualified(String schema, String name) {
    return schema == null ? ident(name) : ident(schema) + "." + ident(name);
  }

  /** {@code 'text'} with embedded quotes doubled, or {@code NULL}. */
  public static String literal(String text) {
    return text == null ? "NULL" : "'" + text.replace("'", "''") + "'";
  }

  /**
   * {@code body} as a dollar-quoted string constant, with a tag ({@code $pgt$}, {@code $pgt1$}, ...)
   * that does not occur in it.
   */
  public static String dollarQuoted(String body) {
    String tag = "$pgt$";
    int n = 0;
    while (body.contains(tag)) {
      tag = "$pgt" + (++n) + "$";
    }
    return tag + body + tag;
  }

  /** The identifiers, each quoted, comma-separated. */
  public static String identList(List<String> names) {
    return names.stream().map(Sql::ident).collect(Collectors.joining(", "));
  }

  /** {@code prefix."name"} for each name, comma-separated. */
  public static String columnList(String prefix, List<String> names) {
    return names.stream().map(n -> prefix + "." + ident(n)).collect(Collectors.joining(", "));
  }

  /** The temporary table holding one source's consumed changes during a refresh. */
  public static String deltaTable(long sourceOid) {
    return "pg_temp." + ident("__pgt_delta_" + sourceOid);
  }

  /** The weight column of delta relations: +n for insertions, -n for deletions. */
  public static final String WEIGHT = ident("__pgt_w");
}
