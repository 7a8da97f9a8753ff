package dev.trickle.refresh;

/**
 * What the refreshes on a connection learned for the next ones there, kept by the engine for all
 * its connections: which sources the last small differential batch changed ({@link
 * SmallBatches}), how many consumed rows wait for a cleanup ({@link CleanupPacing}) and which
 * session function a repeated refresh calls ({@link RefreshFunction}).
 *
 * @param smallBatches the program sent with the delta fill
 * @param cleanupPacing when a differential refresh deletes consumed buffer rows
 * @param functions the session functions the refreshes created
 */
record RefreshMemory(
    SmallBatches smallBatches, CleanupPacing cleanupPacing, RefreshFunction.Installed functions) {
  /** Nothing learned yet. */
  RefreshMemory() {
    this(new SmallBatches(), new CleanupPacing(), new RefreshFunction.Installed());
  }
}
