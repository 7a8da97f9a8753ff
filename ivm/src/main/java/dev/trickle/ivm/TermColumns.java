package dev.trickle.ivm;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The columns of each input that one delta term names: every identifier of the term's text (select
 * list, joins, conditions) that is a column of the input's relation, which may take a few more than
 * needed (a name another input also has, a word of a comment) and never fewer. String literals are
 * skipped, so a quote inside one cannot hide the identifiers after it. A term that reads an input as
 * a whole row ({@code alias.*}, or the bare alias as a value) is told apart: all its columns count.
 */
final class TermColumns {
  /**
   * A string literal or a number (neither names anything), a quoted identifier, an unquoted word, a
   * {@code .} or a {@code *}.
   */
  private static final Pattern TOKEN =
      Pattern.compile("'(?:[^']|'')*'|[0-9]+(?:\\.[0-9]*)?(?:[eE][+-]?[0-9]+)?"
          + "|\"((?:[^\"]|\"\")*)\"|([A-Za-z_][A-Za-z_0-9$]*)|([.*])");

  private final Set<String> named = new HashSet<>();
  private final Set<String> wholeRows = new HashSet<>();

  /** @param termText the SQL of the term, its inputs read as their current relations */
  TermColumns(String termText) {
    List<String> tokens = new ArrayList<>();
    Matcher m = TOKEN.matcher(termText);
    while (m.find()) {
      if (m.group(1) != null) {
        tokens.add(m.group(1).replace("\"\"", "\""));
      } else if (m.group(2) != null) {
        tokens.add(Names.fold(m.group(2)));
      } else if (m.group(3) != null) {
        tokens.add(m.group(3));
      } else {
        tokens.add("'");
      }
    }
    for (int i = 0; i < tokens.size(); i++) {
      String token = tokens.get(i);
      named.add(token);
      boolean qualifies = i + 2 < tokens.size() && tokens.get(i + 1).equals(".")
          && !List.of(".", "*", "'").contains(tokens.get(i + 2));
      boolean declared = i > 0 && tokens.get(i - 1).equals("as");
      boolean qualified = i > 0 && tokens.get(i - 1).equals(".");
      if (!qualifies && !declared && !qualified) {
        wholeRows.add(token);
      }
    }
  }

  /**
   * The columns of {@code input} the term names, in the relation's order; all of them for a derived
   * input or one the term reads as a whole row.
   */
  List<String> of(Input input) {
    if (input.derived() != null) {
      return input.derived().columns();
    }
    boolean whole = readsWholeRow(input);
    List<String> columns = new ArrayList<>();
    input.relation().columns().forEach(c -> {
      if (whole || named.contains(c.name())) {
        columns.add(c.name());
      }
    });
    return columns;
  }

  /**
   * True when the term may read {@code input} as a whole row: its alias stands somewhere without a
   * column after it ({@code t.*}, {@code row_to_json(t)}) other than where it is declared.
   */
  boolean readsWholeRow(Input input) {
    return wholeRows.contains(input.alias());
  }
}
