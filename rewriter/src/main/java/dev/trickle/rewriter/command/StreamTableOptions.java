package dev.trickle.rewriter.command;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The settings given with a create or alter command ({@code schedule}, {@code refresh_mode},
 * {@code initialize}, {@code diamond_consistency}, {@code diamond_schedule_policy}, {@code
 * cdc_mode}, {@code status}), as raw text keyed by lower-case name. A key mapped to {@code null}
 * was given as SQL NULL ("unchanged" for alter). Semantic validation happens in the driver, which
 * knows the object the options belong to and can name it in errors.
 */
public final class StreamTableOptions {
  private static final StreamTableOptions EMPTY = new StreamTableOptions(Map.of());

  private final Map<String, String> values;

  private StreamTableOptions(Map<String, String> values) {
    this.values = values;
  }

  /** No options given. */
  public static StreamTableOptions empty() {
    return EMPTY;
  }

  /** Options from a map of lower-case names to raw values (null values allowed). */
  public static StreamTableOptions of(Map<String, String> values) {
    return new StreamTableOptions(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
  }

  /** The raw value of an option given with a non-null value. */
  public Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /** True when the option was given at all, even as NULL. */
  public boolean isGiven(String name) {
    return values.containsKey(name);
  }

  /** All given options in the order written. */
  public Map<String, String> asMap() {
    return values;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StreamTableOptions other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
