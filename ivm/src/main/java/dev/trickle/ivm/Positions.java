package dev.trickle.ivm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds a construct in the user's query text from the construct as the parser prints it, so a
 * refusal names its real line and column (the printed text differs from the written one in case,
 * spacing, comments and redundant parentheses, so the two are compared as token sequences).
 * The whole printed construct is looked for first, then ever shorter prefixes of it; the first
 * occurrence of the longest match wins.
 */
final class Positions {
  private record Token(String text, int offset) {}

  private static final int PREFIX = 8;

  private Positions() {}

  /** The character offset of {@code construct} in {@code query}, or -1 when it is not found. */
  static int offsetOf(String query, String construct) {
    if (query == null || construct == null || construct.isBlank()) {
      return -1;
    }
    List<Token> haystack = tokens(query);
    List<Token> needle = tokens(construct);
    for (int n = needle.size(); n >= 1; n = n > PREFIX ? PREFIX : n - 1) {
      int at = find(haystack, needle.subList(0, n));
      if (at >= 0) {
        return haystack.get(at).offset();
      }
    }
    return -1;
  }

  private static int find(List<Token> haystack, List<Token> needle) {
    outer:
    for (int i = 0; i + needle.size() <= haystack.size(); i++) {
      for (int j = 0; j < needle.size(); j++) {
        if (!haystack.get(i + j).text().equals(needle.get(j).text())) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Words lower-cased, literals and quoted names whole, operators as runs; no parentheses. */
  private static List<Token> tokens(String s) {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      int start = i;
      if (Character.isWhitespace(c) || c == '(' || c == ')') {
        i++;
        continue;
      }
      if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
        while (i < n && s.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        int end = s.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        continue;
      }
      if (c == '\'' || c == '"') {
        i++;
        while (i < n && (s.charAt(i) != c || (i + 1 < n && s.charAt(i + 1) == c && ++i > 0))) {
          i++;
        }
        i = Math.min(n, i + 1);
        tokens.add(new Token(s.substring(start, i), start));
      } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
        while (i < n
            && (Character.isLetterOrDigit(s.charAt(i))
                || s.charAt(i) == '_'
                || s.charAt(i) == '$'
                || (s.charAt(i) == '.' && Character.isDigit(c)))) {
          i++;
        }
        tokens.add(new Token(s.substring(start, i).toLowerCase(Locale.ROOT), start));
      } else if ("+-*/<>=~!@#%^&|`?:".indexOf(c) >= 0) {
        while (i < n && "+-*/<>=~!@#%^&|`?:".indexOf(s.charAt(i)) >= 0) {
          i++;
        }
        tokens.add(new Token(s.substring(start, i), start));
      } else {
        i++;
        tokens.add(new Token(String.valueOf(c), start));
      }
    }
    return tokens;
  }
}
