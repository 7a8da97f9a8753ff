package dev.trickle.capture;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Widening decoded 32-bit transaction ids to {@code xid8} around a reference id. */
class FullXidTest {
  private static final long EPOCH_3 = 3L << 32;

  @Test
  void anIdOlderThanTheReferenceKeepsItsEpoch() {
    assertThat(FullXid.of(EPOCH_3 | 1000, 900)).isEqualTo(EPOCH_3 | 900);
  }

  @Test
  void anIdNewerThanTheReferenceKeepsItsEpoch() {
    assertThat(FullXid.of(EPOCH_3 | 1000, 1007)).isEqualTo(EPOCH_3 | 1007);
    assertThat(FullXid.of(800, 812)).isEqualTo(812);
  }

  @Test
  void anIdFromBeforeTheCounterWrappedIsOfThePreviousEpoch() {
    assertThat(FullXid.of(EPOCH_3 | 5, 0xFFFFFFF0)).isEqualTo((2L << 32) | 0xFFFFFFF0L);
  }

  @Test
  void anIdFromAfterTheCounterWrappedIsOfTheNextEpoch() {
    assertThat(FullXid.of(EPOCH_3 | 0xFFFFFFF0L, 3)).isEqualTo((4L << 32) | 3);
  }

  @Test
  void theReferenceItselfIsItsOwnId() {
    assertThat(FullXid.of(EPOCH_3 | 77, 77)).isEqualTo(EPOCH_3 | 77);
  }
}
