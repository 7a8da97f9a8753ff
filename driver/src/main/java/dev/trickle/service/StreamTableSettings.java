package dev.trickle.service;

import dev.trickle.catalog.RefreshMode;
import dev.trickle.catalog.Schedule;
import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTableStatus;
import dev.trickle.rewriter.command.StreamTableOptions;
import dev.trickle.sql.Sql;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The validated options of a create ({@link Create}, defaults filled in) or an alter ({@link
 * Alter}, empty = unchanged). Every invalid value is refused with 22023 naming the stream table
 * and listing the valid values.
 */
final class StreamTableSettings {
  private static final List<String> CREATE_OPTIONS =
      List.of(
          "schedule",
          "refresh_mode",
          "initialize",
          "diamond_consistency",
          "diamond_schedule_policy",
          "cdc_mode");
  private static final List<String> ALTER_OPTIONS =
      List.of(
          "schedule",
          "refresh_mode",
          "status",
          "diamond_consistency",
          "diamond_schedule_policy",
          "cdc_mode");

  private StreamTableSettings() {}

  /** The settings of a new stream table. */
  record Create(
      Schedule schedule,
      RefreshMode mode,
      boolean initialize,
      String diamondConsistency,
      String diamondSchedulePolicy,
      String cdcMode) {

    /**
     * @param defaultCdcMode the cdc_mode when the options give none ({@link DefaultCdcMode})
     */
    static Create of(
        StreamTableOptions options, String streamTable, int minScheduleSeconds,
        String defaultCdcMode)
        throws SQLException {
      requireKnown(options, CREATE_OPTIONS, streamTable);
      Schedule schedule = Schedule.parse(options.get("schedule").orElse(null));
      schedule.requireAtLeast(minScheduleSeconds, streamTable);
      RefreshMode mode = validRefreshMode(options.get("refresh_mode").orElse("AUTO"), streamTable);
      String cdcMode = validCdcMode(options.get("cdc_mode").orElse(defaultCdcMode), streamTable);
      if (mode == RefreshMode.IMMEDIATE && cdcMode.equals("wal")) {
        throw SqlState.UNSUPPORTED.exception(
            "stream table " + streamTable + " cannot be IMMEDIATE with cdc_mode 'wal': IMMEDIATE"
                + " maintains it inside each writing transaction, which WAL capture cannot;"
                + " use cdc_mode 'trigger' or 'auto'");
      }
      return new Create(
          schedule,
          mode,
          bool(options.get("initialize").orElse("true"), "initialize", streamTable),
          oneOf(options.get("diamond_consistency").orElse("atomic"), "diamond_consistency",
              List.of("none", "atomic"), streamTable),
          oneOf(options.get("diamond_schedule_policy").orElse("fastest"), "diamond_schedule_policy",
              List.of("fastest", "slowest"), streamTable),
          cdcMode);
    }
  }

  /** The changes of an alter; an empty value leaves the setting as it is. */
  record Alter(
      Optional<Schedule> schedule,
      Optional<RefreshMode> mode,
      Optional<StreamTableStatus> status,
      Optional<String> diamondConsistency,
      Optional<String> diamondSchedulePolicy,
      Optional<String> cdcMode) {

    static Alter of(StreamTableOptions options, String streamTable, int minScheduleSeconds)
        throws SQLException {
      requireKnown(options, ALTER_OPTIONS, streamTable);
      Optional<Schedule> schedule = Optional.empty();
      if (options.get("schedule").isPresent()) {
        Schedule parsed = Schedule.parse(options.get("schedule").get());
        parsed.requireAtLeast(minScheduleSeconds, streamTable);
        schedule = Optional.of(parsed);
      }
      Optional<RefreshMode> mode = Optional.empty();
      if (options.get("refresh_mode").isPresent()) {
        mode = Optional.of(validRefreshMode(options.get("refresh_mode").get(), streamTable));
      }
      Optional<StreamTableStatus> status = Optional.empty();
      if (options.get("status").isPresent()) {
        String value = oneOf(options.get("status").get(), "status",
            List.of("ACTIVE", "SUSPENDED"), streamTable);
        status = Optional.of(StreamTableStatus.valueOf(value));
      }
      Optional<String> consistency = Optional.empty();
      if (options.get("diamond_consistency").isPresent()) {
        consistency = Optional.of(oneOf(options.get("diamond_consistency").get(),
            "diamond_consistency", List.of("none", "atomic"), streamTable));
      }
      Optional<String> policy = Optional.empty();
      if (options.get("diamond_schedule_policy").isPresent()) {
        policy = Optional.of(oneOf(options.get("diamond_schedule_policy").get(),
            "diamond_schedule_policy", List.of("fastest", "slowest"), streamTable));
      }
      Optional<String> cdc = Optional.empty();
      if (options.get("cdc_mode").isPresent()) {
        cdc = Optional.of(validCdcMode(options.get("cdc_mode").get(), streamTable));
      }
      return new Alter(schedule, mode, status, consistency, policy, cdc);
    }
  }

  private static void requireKnown(
      StreamTableOptions options, List<String> known, String streamTable) throws SQLException {
    for (String name : options.asMap().keySet()) {
      if (!known.contains(name)) {
        throw SqlState.INVALID_PARAMETER.exception(
            "unknown option "
                + name
                + " for stream table "
                + streamTable
                + "; valid options: "
                + String.join(", ", known));
      }
    }
  }

  private static RefreshMode validRefreshMode(String value, String streamTable) throws SQLException {
    return RefreshMode.valueOf(
        oneOf(value, "refresh_mode", List.of("AUTO", "DIFFERENTIAL", "FULL", "IMMEDIATE"),
            streamTable));
  }

  private static String validCdcMode(String value, String streamTable) throws SQLException {
    return oneOf(value, "cdc_mode", List.of("trigger", "wal", "auto"), streamTable);
  }

  /** {@code value} matched case-insensitively against {@code valid}, returned as spelled there. */
  private static String oneOf(String value, String option, List<String> valid, String streamTable)
      throws SQLException {
    String stripped = value.strip();
    for (String candidate : valid) {
      if (candidate.equalsIgnoreCase(stripped)) {
        return candidate;
      }
    }
    throw SqlState.INVALID_PARAMETER.exception(
        "invalid "
            + option
            + " "
            + Sql.literal(value)
            + " for stream table "
            + streamTable
            + "; valid values: "
            + String.join(", ", valid));
  }

  private static boolean bool(String value, String option, String streamTable)
      throws SQLException {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true", "t", "on", "yes", "y", "1" -> true;
      case "false", "f", "off", "no", "n", "0" -> false;
      default -> throw SqlState.INVALID_PARAMETER.exception(
          "invalid "
              + option
              + " "
              + Sql.literal(value)
              + " for stream table "
              + streamTable
              + "; use true or false");
    };
  }
}
