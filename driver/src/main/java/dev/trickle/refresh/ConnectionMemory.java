package dev.trickle.refresh;

import java.sql.Connection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * What refreshes on a connection learned, by key, for the next refresh on the same connection:
 * held weakly per connection (a closed, unreferenced connection takes its entries with it), at
 * most {@link #PER_CONNECTION} keys each unless told otherwise, the least recently used forgotten
 * first. Keys are only
 * meaningful within one database, which a connection never leaves.
 *
 * @param <K> the key
 * @param <V> what is remembered
 */
final class ConnectionMemory<K, V> {
  /** Keys remembered per connection (the least recently used are forgotten). */
  static final int PER_CONNECTION = 256;

  private final Map<Connection, Map<K, V>> byConnection =
      Collections.synchronizedMap(new WeakHashMap<>());
  private final int perConnection;

  /** Remembers at most {@link #PER_CONNECTION} keys per connection. */
  ConnectionMemory() {
    this(PER_CONNECTION);
  }

  /** Remembers at most {@code perConnection} keys per connection. */
  ConnectionMemory(int perConnection) {
    this.perConnection = perConnection;
  }

  /** The value remembered for {@code key} on {@code c}. */
  Optional<V> get(Connection c, K key) {
    Map<K, V> values = byConnection.get(c);
    if (values == null) {
      return Optional.empty();
    }
    synchronized (values) {
      return Optional.ofNullable(values.get(key));
    }
  }

  /** Remembers {@code value} for {@code key} on {@code c}. */
  void remember(Connection c, K key, V value) {
    Map<K, V> values =
        byConnection.computeIfAbsent(
            c,
            k ->
                new LinkedHashMap<>(16, 0.75f, true) {
                  private static final long serialVersionUID = 1L;

                  @Override
                  protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                    return size() > perConnection;
                  }
                });
    synchronized (values) {
      values.put(key, value);
    }
  }

  /** A copy of everything remembered on {@code c}. */
  Map<K, V> all(Connection c) {
    Map<K, V> values = byConnection.get(c);
    if (values == null) {
      return Map.of();
    }
    synchronized (values) {
      return new HashMap<>(values);
    }
  }

  /** Forgets the value of {@code key} on {@code c}. */
  void forget(Connection c, K key) {
    Map<K, V> values = byConnection.get(c);
    if (values != null) {
      synchronized (values) {
        values.remove(key);
      }
    }
  }
}
