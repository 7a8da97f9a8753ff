package dev.trickle.refresh;

import java.sql.Connection;
import java.util.Optional;

/**
 * The refresh targets (stream table and storage) that refreshes on a connection found, by a key
 * (the name as written for manual refreshes, the id for scheduled ones), so the next refresh can
 * skip the round trip that finds them ({@link RefreshEngine#refreshRemembered}): a stream table
 * refreshed again and again pays for the lookup once. Nothing is trusted: the refresh confirms the
 * target under its locks and forgets it when it no longer holds. Held per connection ({@link
 * ConnectionMemory}).
 *
 * @param <K> the key
 */
public final class RememberedTargets<K> {
  private final ConnectionMemory<K, RefreshTarget> targets = new ConnectionMemory<>();

  /** The target remembered for {@code key} on {@code c}. */
  public Optional<RefreshTarget> get(Connection c, K key) {
    return targets.get(c, key);
  }

  /** Remembers {@code target} for {@code key} on {@code c} when its storage table exists. */
  public void remember(Connection c, K key, RefreshTarget target) {
    if (target.storage().isPresent()) {
      targets.remember(c, key, target);
    }
  }

  /** Forgets the target of {@code key} on {@code c}. */
  public void forget(Connection c, K key) {
    targets.forget(c, key);
  }
}
