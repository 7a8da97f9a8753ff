package dev.trickle.catalog;

import dev.trickle.ivm.Sql;
import java.util.regex.Pattern;

/**
 * The one place where identifiers and literals are turned into SQL text. Every identifier that
 * reaches generated SQL goes through {@link #identifier} or {@link #qualified}; user values are
 * bound parameters, or {@link #literal} where PostgreSQL accepts no parameter (utility
 * statements).
 */
public final class Quoting {
  private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_$]*");

  private Quoting() {}

  /** {@code name} as a quoted identifier: {@code "name"}, inner quotes doubled. */
  public static String identifier(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** {@code "schema"."name"}. */
  public static String qualified(String schema, String name) {
    return identifier(schema) + '.' + identifier(name);
  }

  /**
   * {@code schema.name} for messages, quoted only where PostgreSQL would need it (like {@code
   * format('%I.%I')}).
   */
  public static String display(String schema, String name) {
    return displayPart(schema) + '.' + displayPart(name);
  }

  /** One identifier for messages, quoted only where needed. */
  public static String displayPart(String name) {
    return PLAIN.matcher(name).matches() ? name : identifier(name);
  }

  /** {@code body} between dollar quotes whose tag does not occur in it. */
  public static String dollarQuoted(String body) {
    return Sql.dollarQuoted(body);
  }

  /**
   * {@code value} as a string literal that means the same whatever {@code
   * standard_conforming_strings} is.
   */
  public static String literal(String value) {
    String doubled = value.replace("'", "''");
    return value.indexOf('\\') < 0 ? "'" + doubled + "'" : "E'" + doubled.replace("\\", "\\\\") + "'";
  }
}
