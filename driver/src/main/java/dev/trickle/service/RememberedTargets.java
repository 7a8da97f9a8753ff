package dev.trickle.service;

import dev.trickle.refresh.RefreshTarget;
import java.sql.Connection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * The refresh targets (stream table and storage) that manual refreshes on a connection found, by
 * the name as written, so the next refresh of that name can skip the round trip that finds them
 * ({@link dev.trickle.refresh.RefreshEngine#refreshRemembered}): an application refreshing a stream
 * table again and again pays for the lookup once. Nothing is trusted: the refresh confirms the
 * target under its locks and forgets it when it no longer holds. Held weakly per connection, at
 * most {@link #PER_CONNECTION} names each.
 */
final class RememberedTargets {
  /** Names remembered per connection (the least recently used are forgotten). */
  static final int PER_CONNECTION = 256;

  private final Map<Connection, Map<String, RefreshTarget>> byConnection =
      Collections.synchronizedMap(new WeakHashMap<>());

  Optional<RefreshTarget> get(Connection c, String writtenName) {
    Map<String, RefreshTarget> targets = byConnection.get(c);
    if (targets == null) {
      return Optional.empty();
    }
    synchronized (targets) {
      return Optional.ofNullable(targets.get(writtenName));
    }
  }

  /** Remembers {@code target} when its storage table exists. */
  void remember(Connection c, String writtenName, RefreshTarget target) {
    if (target.storage().isEmpty()) {
      return;
    }
    Map<String, RefreshTarget> targets =
        byConnection.computeIfAbsent(
            c,
            k ->
                new LinkedHashMap<>(16, 0.75f, true) {
                  private static final long serialVersionUID = 1L;

                  @Override
                  protected boolean removeEldestEntry(Map.Entry<String, RefreshTarget> eldest) {
                    return size() > PER_CONNECTION;
                  }
                });
    synchronized (targets) {
      targets.put(writtenName, target);
    }
  }

  void forget(Connection c, String writtenName) {
    Map<String, RefreshTarget> targets = byConnection.get(c);
    if (targets != null) {
      synchronized (targets) {
        targets.remove(writtenName);
      }
    }
  }
}
