package dev.trickle.refresh;

/**
 * The rows a refresh wrote to the storage table.
 *
 * @param rowsInserted rows inserted
 * @param rowsDeleted rows deleted (an update counts as one of each)
 */
public record RefreshCounts(long rowsInserted, long rowsDeleted) {
  /** Nothing written. */
  public static final RefreshCounts NONE = new RefreshCounts(0, 0);
}
