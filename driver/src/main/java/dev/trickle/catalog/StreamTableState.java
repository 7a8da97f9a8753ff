package dev.trickle.catalog;

import java.time.OffsetDateTime;

/**
 * How a stream table's refreshes have gone: the columns of {@code pgt_stream_tables} that refresh
 * and resume change.
 *
 * @param status the life-cycle status
 * @param populated whether the storage holds the query's result as of {@code dataTimestamp}
 * @param consecutiveErrors failed refreshes since the last successful one
 * @param lastErrorMessage the message of the last failure, or null
 * @param dataTimestamp the time of the snapshot the content reflects, or null
 * @param costs what its refreshes cost, as learned from them
 */
public record StreamTableState(
    StreamTableStatus status,
    boolean populated,
    int consecutiveErrors,
    String lastErrorMessage,
    OffsetDateTime dataTimestamp,
    RefreshCosts costs) {}
