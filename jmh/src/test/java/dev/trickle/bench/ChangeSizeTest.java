package dev.trickle.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChangeSizeTest {
  @Test
  void aFixedCountIgnoresTheSourceSize() {
    ChangeSize c = ChangeSize.parse("1000");
    assertThat(c.rowsFor(10_000)).isEqualTo(1000);
    assertThat(c.rowsFor(1_000_000)).isEqualTo(1000);
    assertThat(c.label(1_000_000)).isEqualTo("1,000");
  }

  @Test
  void aShareFollowsTheSourceSizeAndTouchesAtLeastOneRow() {
    ChangeSize c = ChangeSize.parse("1%");
    assertThat(c.rowsFor(1_000_000)).isEqualTo(10_000);
    assertThat(c.rowsFor(50)).isEqualTo(1);
    assertThat(c.label(100_000)).isEqualTo("1% (1,000)");
    assertThat(ChangeSize.parse("0.5%").label(10_000)).isEqualTo("0.5% (50)");
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(() -> ChangeSize.parse("ten")).hasMessageContaining("ten");
    assertThatThrownBy(() -> ChangeSize.parse("0")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChangeSize.parse("150%")).isInstanceOf(IllegalArgumentException.class);
  }
}
