package dev.trickle.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The psql-style command tag printed for a statement that returned no rows ({@code INSERT 0 3},
 * {@code CREATE TABLE}, {@code UPDATE 2}).
 *
 * <p>JDBC exposes only the update count, not the server's tag, so the tag is rebuilt, best effort,
 * from the statement's leading keywords and that count. Known differences from the server: a {@code
 * CREATE TABLE ... AS} that copied no rows prints {@code CREATE TABLE} instead of {@code SELECT 0},
 * and the OID field of {@code INSERT} is always 0 (as on every modern server).
 */
final class CommandTag {
  private static final Set<String> COUNTED =
      Set.of("UPDATE", "DELETE", "MERGE", "FETCH", "MOVE", "COPY");
  private static final Set<String> ROW_SOURCES = Set.of("SELECT", "TABLE", "VALUES");
  private static final Set<String> MODIFIERS =
      Set.of(
          "OR",
          "REPLACE",
          "TEMP",
          "TEMPORARY",
          "UNIQUE",
          "UNLOGGED",
          "GLOBAL",
          "LOCAL",
          "RECURSIVE",
          "TRUSTED",
          "PROCEDURAL",
          "CONSTRAINT");
  private static final Set<String> TWO_WORD_OBJECTS =
      Set.of(
          "MATERIALIZED VIEW",
          "STREAM TABLE",
          "FOREIGN TABLE",
          "FOREIGN DATA",
          "EVENT TRIGGER",
          "ACCESS METHOD",
          "USER MAPPING",
          "OPERATOR CLASS",
          "OPERATOR FAMILY",
          "DEFAULT PRIVILEGES",
          "TEXT SEARCH");
  private static final Set<String> THREE_WORD_OBJECTS = Set.of("FOREIGN DATA", "TEXT SEARCH");
  private static final int WORDS_NEEDED = 6;

  private CommandTag() {}

  /** The tag for {@code sql} that reported {@code updateCount} changed rows. */
  static String of(String sql, long updateCount) {
    List<String> words = leadingWords(sql);
    if (words.isEmpty()) {
      return "";
    }
    String verb = words.get(0);
    if (verb.equals("WITH")) {
      verb = mainVerbAfterWith(sql);
    }
    if (verb.equals("INSERT")) {
      return "INSERT 0 " + updateCount;
    }
    if (COUNTED.contains(verb)) {
      return verb + " " + updateCount;
    }
    if (ROW_SOURCES.contains(verb)) {
      return "SELECT " + updateCount;
    }
    switch (verb) {
      case "CREATE":
        return updateCount > 0 ? "SELECT " + updateCount : "CREATE " + objectType(words);
      case "DROP":
      case "ALTER":
      case "REFRESH":
        return verb + " " + objectType(words);
      case "TRUNCATE":
        return "TRUNCATE TABLE";
      case "END":
        return "COMMIT";
      case "ABORT":
        return "ROLLBACK";
      case "START":
        return "START TRANSACTION";
      case "DISCARD":
        return words.size() > 1 ? "DISCARD " + words.get(1) : verb;
      default:
        return verb;
    }
  }

  /**
   * The object kind after CREATE/DROP/ALTER/REFRESH and its modifiers: {@code MATERIALIZED VIEW}.
   */
  private static String objectType(List<String> words) {
    int i = 1;
    while (i < words.size() && MODIFIERS.contains(words.get(i))) {
      i++;
    }
    if (i >= words.size()) {
      return "";
    }
    String type = words.get(i);
    if (i + 1 < words.size() && TWO_WORD_OBJECTS.contains(type + " " + words.get(i + 1))) {
      type += " " + words.get(i + 1);
      if (THREE_WORD_OBJECTS.contains(type) && i + 2 < words.size()) {
        type += " " + words.get(i + 2);
      }
    }
    return type;
  }

  /** The statement keyword following a {@code WITH} clause's parenthesized queries. */
  private static String mainVerbAfterWith(String sql) {
    for (String word : topLevelWords(sql, Integer.MAX_VALUE)) {
      if (word.equals("INSERT") || COUNTED.contains(word) || ROW_SOURCES.contains(word)) {
        return word;
      }
    }
    return "WITH";
  }

  private static List<String> leadingWords(String sql) {
    return topLevelWords(sql, WORDS_NEEDED);
  }

  /**
   * Up to {@code limit} upper-cased bare words of {@code sql} outside parentheses, strings, quoted
   * identifiers, dollar-quoted bodies and comments.
   */
  private static List<String> topLevelWords(String sql, int limit) {
    List<String> words = new ArrayList<>();
    int depth = 0;
    int i = 0;
    while (i < sql.length() && words.size() < limit) {
      char c = sql.charAt(i);
      if (c == '-' && sql.startsWith("-", i + 1)) {
        int end = sql.indexOf('\n', i);
        i = end < 0 ? sql.length() : end + 1;
      } else if (c == '/' && sql.startsWith("*", i + 1)) {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? sql.length() : end + 2;
      } else if (c == '\'' || c == '"') {
        int end = i + 1;
        while (end < sql.length() && sql.charAt(end) != c) {
          end++;
        }
        i = end + 1;
      } else if (c == '$' && dollarTagEnd(sql, i) > 0) {
        String tag = sql.substring(i, dollarTagEnd(sql, i));
        int end = sql.indexOf(tag, i + tag.length());
        i = end < 0 ? sql.length() : end + tag.length();
      } else if (c == '(') {
        depth++;
        i++;
      } else if (c == ')') {
        depth--;
        i++;
      } else if (Character.isLetter(c) || c == '_') {
        int end = i;
        while (end < sql.length()
            && (Character.isLetterOrDigit(sql.charAt(end))
                || sql.charAt(end) == '_'
                || sql.charAt(end) == '$')) {
          end++;
        }
        if (depth == 0) {
          words.add(sql.substring(i, end).toUpperCase(Locale.ROOT));
        }
        i = end;
      } else {
        i++;
      }
    }
    return words;
  }

  /** The offset after a dollar-quote tag such as {@code $body$} starting at {@code i}, or -1. */
  private static int dollarTagEnd(String sql, int i) {
    int j = i + 1;
    while (j < sql.length() && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
      if (j == i + 1 && Character.isDigit(sql.charAt(j))) {
        return -1;
      }
      j++;
    }
    return j < sql.length() && sql.charAt(j) == '$' ? j + 1 : -1;
  }
}
