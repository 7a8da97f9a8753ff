package dev.trickle.service;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.trickle.catalog.SqlState;
import dev.trickle.sql.Sql;
import java.sql.SQLException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stream table's refresh schedule: {@code calculated} (no own schedule: refresh when upstream
 * changed, at the pace of the tightest downstream schedule), a duration ({@code 30s}, {@code 5m},
 * {@code 2h}, {@code 1d}, {@code 1w}, compound {@code 1h30m}, bare seconds {@code 90}) or a cron
 * expression (5 fields as in crontab, 6 fields with seconds first, or {@code @hourly}, {@code
 * @daily}, {@code @weekly}, {@code @monthly}, {@code @yearly}). The scheduler uses {@link
 * #nextDue} to decide when a stream table is due.
 */
public final class Schedule {
  private static final Pattern DURATION = Pattern.compile("(?:\\d+[smhdw])+");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)([smhdw])");
  private static final Pattern SECONDS = Pattern.compile("\\d+");
  private static final Map<String, String> NICKNAMES =
      Map.of(
          "@hourly", "0 * * * *",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@weekly", "0 0 * * 0",
          "@monthly", "0 0 1 * *",
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *");
  private static final CronParser FIVE_FIELDS =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final CronParser SIX_FIELDS = new CronParser(withSeconds());
  private static final Schedule CALCULATED = new Schedule(null, null, null);

  private final String text;
  private final Duration interval;
  private final Cron cron;

  private Schedule(String text, Duration interval, Cron cron) {
    this.text = text;
    this.interval = interval;
    this.cron = cron;
  }

  /** The {@code calculated} schedule. */
  public static Schedule calculated() {
    return CALCULATED;
  }

  /**
   * Parses a schedule; null (no schedule given) and {@code calculated} (any case) mean calculated.
   * Refuses (22023) an empty or blank one, which is a mistake rather than a request for
   * calculated, and anything else that is neither a duration nor a cron expression.
   */
  public static Schedule parse(String written) throws SQLException {
    if (written == null) {
      return CALCULATED;
    }
    String text = written.strip();
    String lower = text.toLowerCase(Locale.ROOT);
    if (text.isEmpty()) {
      throw invalid(written, "a schedule cannot be empty");
    }
    if (lower.equals("calculated")) {
      return CALCULATED;
    }
    if (SECONDS.matcher(text).matches() || DURATION.matcher(lower).matches()) {
      Duration duration = parseDuration(lower, written);
      if (duration.isZero()) {
        throw invalid(written, "a schedule must be longer than zero");
      }
      return new Schedule(text, duration, null);
    }
    String expression = NICKNAMES.getOrDefault(lower, text);
    if (expression.startsWith("@")) {
      throw invalid(written, "unknown shorthand " + expression);
    }
    int fields = expression.split("\\s+").length;
    if (fields != 5 && fields != 6) {
      throw invalid(written, "a cron expression has 5 or 6 fields, this one has " + fields);
    }
    try {
      Cron cron = (fields == 5 ? FIVE_FIELDS : SIX_FIELDS).parse(expression).validate();
      return new Schedule(text, null, cron);
    } catch (IllegalArgumentException e) {
      throw invalid(written, e.getMessage());
    }
  }

  /** True for {@code calculated}. */
  public boolean isCalculated() {
    return interval == null && cron == null;
  }

  /** The schedule as written (trimmed), or null for calculated: what the catalog stores. */
  public String text() {
    return text;
  }

  /** The fixed interval of a duration schedule. */
  public Optional<Duration> interval() {
    return Optional.ofNullable(interval);
  }

  /**
   * When a stream table last refreshed at {@code lastRefresh} is due next; empty for calculated
   * schedules (they follow their downstream).
   */
  public Optional<ZonedDateTime> nextDue(ZonedDateTime lastRefresh) {
    if (interval != null) {
      return Optional.of(lastRefresh.plus(interval));
    }
    if (cron != null) {
      return ExecutionTime.forCron(cron).nextExecution(lastRefresh);
    }
    return Optional.empty();
  }

  /**
   * Refuses (22023) a schedule that would refresh more often than every {@code minSeconds}; for
   * cron expressions the shortest gap between its next runs counts.
   */
  void requireAtLeast(long minSeconds, String streamTable) throws SQLException {
    Optional<Duration> shortest = interval();
    if (cron != null) {
      ExecutionTime times = ExecutionTime.forCron(cron);
      ZonedDateTime at = ZonedDateTime.now();
      Duration min = null;
      for (int i = 0; i < 4; i++) {
        Optional<ZonedDateTime> next = times.nextExecution(at);
        if (next.isEmpty()) {
          break;
        }
        if (i > 0) {
          Duration gap = Duration.between(at, next.get());
          min = min == null || gap.compareTo(min) < 0 ? gap : min;
        }
        at = next.get();
      }
      shortest = Optional.ofNullable(min);
    }
    if (shortest.isPresent() && shortest.get().getSeconds() < minSeconds) {
      throw SqlState.INVALID_PARAMETER.exception(
          "schedule "
              + Sql.literal(text)
              + " of stream table "
              + streamTable
              + " is shorter than pg_trickle.min_schedule_seconds ("
              + minSeconds
              + " s); choose a longer schedule");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Schedule other && Objects.equals(text, other.text);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(text);
  }

  @Override
  public String toString() {
    return text == null ? "calculated" : text;
  }

  private static Duration parseDuration(String lower, String written) throws SQLException {
    try {
      if (SECONDS.matcher(lower).matches()) {
        return Duration.ofSeconds(Long.parseLong(lower));
      }
      long seconds = 0;
      Matcher part = DURATION_PART.matcher(lower);
      while (part.find()) {
        long unit =
            switch (part.group(2)) {
              case "s" -> 1;
              case "m" -> 60;
              case "h" -> 3600;
              case "d" -> 86_400;
              default -> 604_800;
            };
        seconds = Math.addExact(seconds, Math.multiplyExact(Long.parseLong(part.group(1)), unit));
      }
      return Duration.ofSeconds(seconds);
    } catch (ArithmeticException | NumberFormatException e) {
      throw invalid(written, "the duration is too long");
    }
  }

  private static SQLException invalid(String written, String why) {
    return SqlState.INVALID_PARAMETER.exception(
        "invalid schedule "
            + Sql.literal(written)
            + ": "
            + why
            + "; use a duration (30s, 5m, 2h, 1d, 1w, 1h30m, or seconds such as 90), a cron"
            + " expression with 5 or 6 fields, @hourly, @daily, @weekly, @monthly, @yearly, or"
            + " 'calculated'");
  }

  /** Crontab's five fields with a seconds field in front. */
  private static CronDefinition withSeconds() {
    return CronDefinitionBuilder.defineCron()
        .withSeconds().withValidRange(0, 59).withStrictRange().and()
        .withMinutes().withValidRange(0, 59).withStrictRange().and()
        .withHours().withValidRange(0, 23).withStrictRange().and()
        .withDayOfMonth().withValidRange(1, 31).withStrictRange().and()
        .withMonth().withValidRange(1, 12).withStrictRange().and()
        .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0)
        .withStrictRange().and()
        .instance();
  }
}
