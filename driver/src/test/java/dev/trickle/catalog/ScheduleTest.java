package dev.trickle.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  private static final ZonedDateTime LAST = ZonedDateTime.of(2024, 3, 10, 12, 7, 30, 0,
      ZoneOffset.UTC);

  @ParameterizedTest
  @CsvSource({"30s, 30", "5m, 300", "2h, 7200", "1d, 86400", "1w, 604800", "1h30m, 5400",
      "90, 90", "1H30M, 5400"})
  void durations(String text, long seconds) throws SQLException {
    Schedule schedule = Schedule.parse(text);
    assertThat(schedule.interval()).contains(Duration.ofSeconds(seconds));
    assertThat(schedule.nextDue(LAST)).contains(LAST.plusSeconds(seconds));
    assertThat(schedule.text()).isEqualTo(text);
  }

  @ParameterizedTest
  @CsvSource({
    "'*/15 * * * *', 2024-03-10T12:15:00Z",
    "'0 3 * * *', 2024-03-11T03:00:00Z",
    "'*/10 * * * * *', 2024-03-10T12:07:40Z",
    "@hourly, 2024-03-10T13:00:00Z",
    "@daily, 2024-03-11T00:00:00Z",
    "@weekly, 2024-03-17T00:00:00Z",
    "@monthly, 2024-04-01T00:00:00Z",
    "@yearly, 2025-01-01T00:00:00Z"
  })
  void cronExpressions(String text, String next) throws SQLException {
    assertThat(Schedule.parse(text).nextDue(LAST).map(ZonedDateTime::toInstant))
        .contains(ZonedDateTime.parse(next).toInstant());
  }

  @Test
  void calculated() throws SQLException {
    for (String text : new String[] {null, "calculated", " CALCULATED "}) {
      Schedule schedule = Schedule.parse(text);
      assertThat(schedule.isCalculated()).isTrue();
      assertThat(schedule.text()).isNull();
      assertThat(schedule.nextDue(LAST)).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t\n", "0s", "5 minutes", "1x", "* * * *", "60 * * * *", "@often", "-5m",
      "99999999999999999999w"})
  void invalidSchedulesAre22023(String text) {
    assertFails(() -> Schedule.parse(text), "22023", "invalid schedule");
  }

  @Test
  void minimumIntervalIsEnforced() throws SQLException {
    Schedule.parse("5s").requireAtLeast(5, "st");
    assertFails(() -> Schedule.parse("4s").requireAtLeast(5, "st"), "22023",
        "schedule '4s' of stream table st is shorter than pg_trickle.min_schedule_seconds (5 s)");
    assertFails(() -> Schedule.parse("* * * * * *").requireAtLeast(5, "st"), "22023",
        "shorter than");
    Schedule.parse("* * * * *").requireAtLeast(60, "st");
  }

  private static void assertFails(ThrowingCallable call, String sqlState, String messagePart) {
    assertThatThrownBy(call)
        .isInstanceOf(SQLException.class)
        .hasMessageContaining(messagePart)
        .extracting(e -> ((SQLException) e).getSQLState())
        .isEqualTo(sqlState);
  }
}
