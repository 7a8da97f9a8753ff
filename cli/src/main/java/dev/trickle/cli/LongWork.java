package dev.trickle.cli;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a statement does that may take long, named for its progress line: the initial population of
 * a stream table it creates (or repopulation when it alters or replaces one), or a refresh; any
 * other statement is just "running".
 *
 * @param verb {@code populating}, {@code repopulating}, {@code refreshing} or {@code running}
 * @param streamTable the stream table as written in the statement, or null
 */
record LongWork(String verb, String streamTable) {
  private static final String NAME = "((?:\"[^\"]+\"|[\\w$]+)(?:\\.(?:\"[^\"]+\"|[\\w$]+))?)";
  private static final String QUOTED = "\\s*\\(\\s*(?:name\\s*=>\\s*)?'([^']+)'";
  private static final List<Rule> RULES =
      List.of(
          new Rule("populating",
              "^\\s*CREATE\\s+STREAM\\s+TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?" + NAME),
          new Rule("repopulating", "^\\s*CREATE\\s+OR\\s+REPLACE\\s+STREAM\\s+TABLE\\s+" + NAME),
          new Rule("repopulating", "^\\s*ALTER\\s+STREAM\\s+TABLE\\s+" + NAME),
          new Rule("refreshing", "^\\s*REFRESH\\s+STREAM\\s+TABLE\\s+" + NAME),
          new Rule("populating", "pgtrickle\\.create_stream_table(?:_if_not_exists)?" + QUOTED),
          new Rule("repopulating", "pgtrickle\\.(?:create_or_replace|alter)_stream_table" + QUOTED),
          new Rule("refreshing", "pgtrickle\\.refresh_stream_table" + QUOTED));

  /** What {@code sql} does. */
  static LongWork of(String sql) {
    for (Rule rule : RULES) {
      Matcher m = rule.pattern().matcher(sql);
      if (m.find()) {
        return new LongWork(rule.verb(), m.group(1));
      }
    }
    return new LongWork("running", null);
  }

  /** True for a refresh, whose storage table exists already (and can be measured meanwhile). */
  boolean refreshes() {
    return "refreshing".equals(verb);
  }

  /** {@code populating public.sales} or {@code running}. */
  String describe() {
    return streamTable == null ? verb : verb + " " + streamTable;
  }

  private record Rule(String verb, Pattern pattern) {
    Rule(String verb, String regex) {
      this(verb, Pattern.compile(regex, Pattern.CASE_INSENSITIVE));
    }
  }
}
