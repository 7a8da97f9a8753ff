package dev.trickle.sql;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one place where names and values become SQL text. Every identifier in generated SQL goes
 * through {@link #identifier} or {@link #qualified}; user values are bound parameters, or {@link
 * #literal} where PostgreSQL takes no parameter (utility statements, function bodies, printed
 * delta SQL); text that must stay verbatim inside a string goes through {@link #dollarQuoted}.
 *
 * <p>Literals follow one rule, PostgreSQL's own {@code quote_literal}: quotes doubled, and a value
 * holding a backslash written as an escape string {@code E'...'} with the backslashes doubled. A
 * plain {@code 'a\b'} means {@code a\b} only while {@code standard_conforming_strings} is on (the
 * default since 9.1); a session, role or database may turn it off, and then the backslash escapes
 * the next character, which would change the value or end the literal early. The {@code E'...'}
 * spelling means the same under both settings, so generated SQL never depends on that setting.
 */
public final class Sql {
  /** A name that reads the same unquoted, as {@code quote_ident} decides: a-z, digits and {@code _}. */
  private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_]*");

  private Sql() {}

  /** {@code name} as a quoted identifier: {@code "name"}, inner double quotes doubled. */
  public static String identifier(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** {@code "schema"."name"}, or {@code "name"} when {@code schema} is null. */
  public static String qualified(String schema, String name) {
    return schema == null ? identifier(name) : identifier(schema) + '.' + identifier(name);
  }

  /** The names, each quoted, separated by {@code ", "}. */
  public static String identifiers(List<String> names) {
    return names.stream().map(Sql::identifier).collect(Collectors.joining(", "));
  }

  /**
   * {@code value} as a string literal that means the same whatever {@code
   * standard_conforming_strings} is (see the class comment), or {@code NULL} for null.
   */
  public static String literal(String value) {
    if (value == null) {
      return "NULL";
    }
    String doubled = value.replace("'", "''");
    return value.indexOf('\\') < 0
        ? "'" + doubled + "'"
        : "E'" + doubled.replace("\\", "\\\\") + "'";
  }

  /**
   * {@code body} as a dollar-quoted string constant, {@code $pgt$body$pgt$}, with the first tag of
   * {@code $pgt$}, {@code $pgt1$}, {@code $pgt2$}, ... that PostgreSQL's scanner cannot find
   * before the closing one: not inside the body, and not formed by the body's end and the closing
   * tag together (a body ending in {@code $pgt} would end at its own last characters).
   */
  public static String dollarQuoted(String body) {
    String tag = "$pgt$";
    for (int n = 1; (body + tag).indexOf(tag) != body.length(); n++) {
      tag = "$pgt" + n + "$";
    }
    return tag + body + tag;
  }

  /**
   * {@code schema.name} for messages and for text a user may copy back, each part quoted only
   * where PostgreSQL needs quotes to read the same name back (upper case, non-ASCII letters,
   * spaces, quotes, a leading digit, a reserved keyword).
   */
  public static String display(String schema, String name) {
    return display(schema) + '.' + display(name);
  }

  /** One name for messages, quoted only where needed (see {@link #display(String, String)}). */
  public static String display(String name) {
    return PLAIN.matcher(name).matches() && !ReservedKeywords.contains(name)
        ? name
        : identifier(name);
  }
}
