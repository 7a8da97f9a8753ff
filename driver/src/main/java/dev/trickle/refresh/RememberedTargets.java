package dev.trickle.refresh;

import java.sql.Connection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * The refresh targets (stream table and storage) that refreshes on a connection found, by a key
 * (the name as written for manual refreshes, the id for scheduled ones), so the next refresh can
 * skip the round trip that finds them ({@link RefreshEngine#refreshRemembered}): a stream table
 * refreshed again and again pays for the lookup once. Nothing is trusted: the refresh confirms the
 * target under its locks and forgets it when it no longer holds. Held weakly per connection, at
 * most {@link #PER_CONNECTION} keys each.
 *
 * @param <K> the key
 */
public final class RememberedTargets<K> {
  /** Keys remembered per connection (the least recently used are forgotten). */
  static final int PER_CONNECTION = 256;

  private final Map<Connection, Map<K, RefreshTarget>> byConnection =
      Collections.synchronizedMap(new WeakHashMap<>());

  /** The target remembered for {@code key} on {@code c}. */
  public Optional<RefreshTarget> get(Connection c, K key) {
    Map<K, RefreshTarget> targets = byConnection.get(c);
    if (targets == null) {
      return Optional.empty();
    }
    synchronized (targets) {
      return Optional.ofNullable(targets.get(key));
    }
  }

  /** Remembers {@code target} for {@code key} on {@code c} when its storage table exists. */
  public void remember(Connection c, K key, RefreshTarget target) {
    if (target.storage().isEmpty()) {
      return;
    }
    Map<K, RefreshTarget> targets =
        byConnection.computeIfAbsent(
            c,
            k ->
                new LinkedHashMap<>(16, 0.75f, true) {
                  private static final long serialVersionUID = 1L;

                  @Override
                  protected boolean removeEldestEntry(Map.Entry<K, RefreshTarget> eldest) {
                    return size() > PER_CONNECTION;
                  }
                });
    synchronized (targets) {
      targets.put(key, target);
    }
  }

  /** Forgets the target of {@code key} on {@code c}. */
  public void forget(Connection c, K key) {
    Map<K, RefreshTarget> targets = byConnection.get(c);
    if (targets != null) {
      synchronized (targets) {
        targets.remove(key);
      }
    }
  }
}
