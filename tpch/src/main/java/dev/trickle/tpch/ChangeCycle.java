package dev.trickle.tpch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one change cycle did: rows touched per step ({@code "orders -"} deleted, {@code "orders +"}
 * inserted, {@code "orders ~"} updated, and so on for every table), in the order the steps ran.
 *
 * @param cycle the cycle's number
 * @param rows rows touched per step
 */
public record ChangeCycle(int cycle, Map<String, Integer> rows) {
  /** Copies {@code rows}, keeping its order. */
  public ChangeCycle {
    rows = Collections.unmodifiableMap(new LinkedHashMap<>(rows));
  }

  /** Rows touched in all tables. */
  public long total() {
    return rows.values().stream().mapToLong(Integer::longValue).sum();
  }

  /** Rows of {@code table} touched (inserted, deleted or updated). */
  public long touched(String table) {
    return rows.entrySet().stream()
        .filter(e -> e.getKey().startsWith(table + " "))
        .mapToLong(e -> e.getValue().longValue())
        .sum();
  }

  /** One line for progress output, e.g. {@code orders -15 +14 ~16, lineitem -60 ...}. */
  public String describe() {
    return rows.entrySet().stream()
        .map(e -> e.getKey() + e.getValue())
        .collect(Collectors.joining(" "));
  }
}
