package dev.trickle.catalog;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code trickle.*} settings a connection or a scheduler was given, read and checked once by
 * the driver where it starts (its {@code jdbc} package owns the names, their documentation and
 * their rules) and handed down, so the packages below never read connection properties
 * themselves. Each one given overrides the server setting {@code pg_trickle.*} of the same name;
 * one not given leaves that server setting, or its default, in force.
 *
 * @param schedulerInterval the longest wait between the scheduler's passes
 * @param parallelRefresh whether the scheduler refreshes independent stream tables concurrently
 * @param maxDynamicRefreshWorkers the most refreshes the scheduler runs at once in parallel mode
 * @param maxConsecutiveErrors failed refreshes in a row after which a stream table is suspended
 * @param minScheduleSeconds the shortest schedule create and alter accept, in seconds
 * @param debugPlan whether the delta compiler logs its plan around each pass
 * @param cdcMode the cdc_mode of stream tables created without one: trigger, wal or auto
 */
public record DriverSettings(
    Optional<Duration> schedulerInterval,
    Optional<Boolean> parallelRefresh,
    OptionalInt maxDynamicRefreshWorkers,
    OptionalInt maxConsecutiveErrors,
    OptionalInt minScheduleSeconds,
    boolean debugPlan,
    Optional<String> cdcMode) {
  /** Nothing given: every server setting or default applies, no plan logging. */
  public static final DriverSettings NONE =
      new DriverSettings(
          Optional.empty(),
          Optional.empty(),
          OptionalInt.empty(),
          OptionalInt.empty(),
          OptionalInt.empty(),
          false,
          Optional.empty());
}
