package dev.trickle.refresh;

/**
 * What a successful refresh did.
 *
 * @param action the strategy actually used
 * @param counts the rows written to the storage table
 * @param reason why this strategy was chosen (recorded in the history), or null
 */
public record RefreshOutcome(RefreshAction action, RefreshCounts counts, String reason) {}
