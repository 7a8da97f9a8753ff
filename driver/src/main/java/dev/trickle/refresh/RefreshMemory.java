package dev.trickle.refresh;

/**
 * What the refreshes on a connection learned for the next ones there, kept by the engine for all
 * its connections: which sources the last small differential batch changed ({@link
 * SmallBatches}) and how many consumed rows wait for a cleanup ({@link CleanupPacing}).
 *
 * @param smallBatches the program sent with the delta fill
 * @param cleanupPacing when a differential refresh deletes consumed buffer rows
 */
record RefreshMemory(SmallBatches smallBatches, CleanupPacing cleanupPacing) {
  /** Nothing learned yet. */
  RefreshMemory() {
    this(new SmallBatches(), new CleanupPacing());
  }
}
