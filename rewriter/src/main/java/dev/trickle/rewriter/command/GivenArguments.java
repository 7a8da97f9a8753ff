package dev.trickle.rewriter.command;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The arguments (or options) given to one command, by lower-case name in the order written, with
 * the checks both spellings share: only known names, each at most once, booleans that are booleans,
 * required values present.
 */
final class GivenArguments {
  private final String owner;
  private final String noun;
  private final List<String> validNames;
  private final Map<String, String> values = new LinkedHashMap<>();

  /**
   * @param owner what the arguments belong to in messages, e.g. {@code pgtrickle.drop_stream_table}
   * @param noun what an argument is called in messages: {@code parameter} or {@code option}
   * @param validNames the names accepted, in their documented order
   */
  GivenArguments(String owner, String noun, List<String> validNames) {
    this.owner = owner;
    this.noun = noun;
    this.validNames = validNames;
  }

  /** Records {@code name = value} (value null for SQL NULL). */
  void put(String name, String value) throws RecognitionException {
    if (!validNames.contains(name)) {
      throw invalid(
          owner
              + " has no "
              + noun
              + " \""
              + name
              + "\"; valid "
              + noun
              + "s are "
              + String.join(", ", validNames));
    }
    if (values.containsKey(name)) {
      throw invalid(noun + " \"" + name + "\" of " + owner + " is given more than once");
    }
    values.put(name, value);
  }

  boolean isGiven(String name) {
    return values.containsKey(name);
  }

  /** The value given for {@code name}; null when not given or given as NULL. */
  String get(String name) {
    return values.get(name);
  }

  /** The value of {@code name}, which must be given and not NULL or blank. */
  String required(String name) throws RecognitionException {
    String value = values.get(name);
    if (value == null || value.isBlank()) {
      String problem =
          !values.containsKey(name) ? "is missing" : value == null ? "is NULL" : "is empty";
      throw invalid(noun + " \"" + name + "\" of " + owner + " " + problem + "; give a value");
    }
    return value;
  }

  /**
   * Checks that {@code name}, when given, is {@code true} or {@code false} (any case) and stores it
   * in lower case; returns its value, or {@code defaultValue} when not given.
   */
  boolean booleanValue(String name, boolean defaultValue) throws RecognitionException {
    if (!values.containsKey(name)) {
      return defaultValue;
    }
    String value = values.get(name);
    String lower = value == null ? null : value.strip().toLowerCase(Locale.ROOT);
    if (!"true".equals(lower) && !"false".equals(lower)) {
      throw invalid(
          "invalid value for "
              + name
              + ": "
              + (value == null ? "NULL" : "'" + value + "'")
              + " (expected true or false in "
              + owner
              + ")");
    }
    values.put(name, lower);
    return lower.equals("true");
  }

  /** Every given argument except {@code excluded}, as options in the order written. */
  StreamTableOptions optionsExcept(String... excluded) {
    Map<String, String> options = new LinkedHashMap<>(values);
    for (String name : excluded) {
      options.remove(name);
    }
    return options.isEmpty() ? StreamTableOptions.empty() : StreamTableOptions.of(options);
  }

  private static RecognitionException invalid(String message) {
    return new RecognitionException(RecognitionException.INVALID_PARAMETER_VALUE, message);
  }
}
