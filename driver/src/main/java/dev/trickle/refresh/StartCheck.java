package dev.trickle.refresh;

import java.sql.SQLException;

/**
 * Reads that confirm a refresh target remembered from an earlier refresh ({@link
 * RefreshEngine#refreshRemembered}) still holds: sent in the refresh's first round trip, after its
 * locks, so the refresh needs no round trip of its own to find its stream table again.
 */
public interface StartCheck {
  /** Adds the confirming reads to the refresh's first batch. */
  void addTo(StatementBatch batch);

  /** Once that batch has run: whether the remembered target still holds. */
  boolean holds();

  /**
   * Once that batch has run: the effective {@code max_consecutive_errors}, for a failure; 22023
   * when the setting is invalid.
   */
  int maxConsecutiveErrors() throws SQLException;

  /**
   * A check that adds no reads: for a target remembered by stream table id, which the refresh's
   * own reads confirm (the catalog row by id under its lock, the storage table by oid and name).
   */
  static StartCheck nothingMore(int maxConsecutiveErrors) {
    return new StartCheck() {
      @Override
      public void addTo(StatementBatch batch) {}

      @Override
      public boolean holds() {
        return true;
      }

      @Override
      public int maxConsecutiveErrors() {
        return maxConsecutiveErrors;
      }
    };
  }
}
