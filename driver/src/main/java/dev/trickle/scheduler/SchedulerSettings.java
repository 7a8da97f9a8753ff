package dev.trickle.scheduler;

import java.time.Duration;

/**
 * The settings a scheduler pass runs with (see {@link SettingsReader} for where they come from).
 *
 * @param enabled {@code pg_trickle.enabled}: whether the scheduler refreshes at all
 * @param interval {@code pg_trickle.scheduler_interval_ms}: the longest wait between passes when no
 *     change notification arrives
 * @param parallel {@code pg_trickle.parallel_refresh_mode = 'on'}: refresh independent units
 *     concurrently
 * @param maxWorkers {@code pg_trickle.max_dynamic_refresh_workers}: concurrent refreshes in
 *     parallel mode
 * @param maxConsecutiveErrors {@code pg_trickle.max_consecutive_errors}: failures in a row after
 *     which a stream table is suspended
 * @param historyRetentionDays {@code pg_trickle.history_retention_days}: refresh history older
 *     than this many days is deleted ({@link HistoryRetention}); 0 keeps it all
 */
record SchedulerSettings(
    boolean enabled,
    Duration interval,
    boolean parallel,
    int maxWorkers,
    int maxConsecutiveErrors,
    int historyRetentionDays) {

  /** The defaults, used when nothing is set. */
  static final SchedulerSettings DEFAULTS =
      new SchedulerSettings(true, Duration.ofSeconds(1), false, 4, 3, 3);

  /** {@code 'on'} or {@code 'off'}, as {@code worker_pool_status()} shows it. */
  String parallelMode() {
    return parallel ? "on" : "off";
  }
}
