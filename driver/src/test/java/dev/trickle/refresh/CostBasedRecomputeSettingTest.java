package dev.trickle.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The setting's value is read as PostgreSQL reads a boolean; unset or unreadable is on. */
class CostBasedRecomputeSettingTest {
  @Test
  void booleansAsPostgresSpellsThem() {
    for (String off : new String[] {"off", "OFF", "false", "no", "0", " f "}) {
      assertThat(CostBasedRecompute.parse(off)).as(off).isFalse();
    }
    for (String on : new String[] {"on", "true", "Yes", "1", "t"}) {
      assertThat(CostBasedRecompute.parse(on)).as(on).isTrue();
    }
    assertThat(CostBasedRecompute.parse(null)).as("unset").isTrue();
    assertThat(CostBasedRecompute.parse("")).as("reset to empty").isTrue();
    assertThat(CostBasedRecompute.parse("sometimes")).as("not a boolean").isTrue();
  }
}
