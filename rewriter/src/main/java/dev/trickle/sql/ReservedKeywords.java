package dev.trickle.sql;

import java.util.Set;

/**
 * PostgreSQL's reserved keywords (lower case): words it accepts as a name only in double quotes.
 * The recognizers use them to tell a name from the next clause; {@link Sql#display} quotes them so
 * that a displayed name reads back as the same name.
 */
public final class ReservedKeywords {
  private static final Set<String> WORDS =
      Set.of(
          "all",
          "analyse",
          "analyze",
          "and",
          "any",
          "array",
          "as",
          "asc",
          "asymmetric",
          "both",
          "case",
          "cast",
          "check",
          "collate",
          "column",
          "constraint",
          "create",
          "current_catalog",
          "current_date",
          "current_role",
          "current_time",
          "current_timestamp",
          "current_user",
          "default",
          "deferrable",
          "desc",
          "distinct",
          "do",
          "else",
          "end",
          "except",
          "false",
          "fetch",
          "for",
          "foreign",
          "from",
          "grant",
          "group",
          "having",
          "in",
          "initially",
          "intersect",
          "into",
          "lateral",
          "leading",
          "limit",
          "localtime",
          "localtimestamp",
          "not",
          "null",
          "offset",
          "on",
          "only",
          "or",
          "order",
          "placing",
          "primary",
          "references",
          "returning",
          "select",
          "session_user",
          "some",
          "symmetric",
          "system_user",
          "table",
          "then",
          "to",
          "trailing",
          "true",
          "union",
          "unique",
          "user",
          "using",
          "variadic",
          "when",
          "where",
          "window",
          "with");

  private ReservedKeywords() {}

  /** True for a reserved keyword ({@code word} already folded to lower case). */
  public static boolean contains(String word) {
    return WORDS.contains(word);
  }
}
