package dev.trickle.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LiveIdsTest {
  @Test
  void removedKeysAreGoneAndTheRestStayPickable() {
    LiveIds ids = new LiveIds(1, 100);
    Random random = new Random(7);
    long[] removed = ids.removeRandom(40, random);
    assertThat(removed).hasSize(40).doesNotHaveDuplicates();
    assertThat(ids.size()).isEqualTo(60);
    Set<Long> remaining = new HashSet<>();
    for (long id : ids.sample(60, random)) {
      remaining.add(id);
    }
    Set<Long> expected = new HashSet<>();
    LongStream.rangeClosed(1, 100).forEach(expected::add);
    for (long id : removed) {
      expected.remove(id);
    }
    assertThat(remaining).isEqualTo(expected);
  }

  @Test
  void samplesAreDistinctAndCappedAtTheSize() {
    LiveIds ids = new LiveIds(5, 9);
    assertThat(ids.sample(10, new Random(1))).hasSize(5).doesNotHaveDuplicates();
    ids.add(42);
    assertThat(ids.sample(6, new Random(2))).contains(42L);
  }

  @Test
  void theSameSeedPicksTheSameKeys() {
    assertThat(new LiveIds(1, 1000).removeRandom(10, new Random(3)))
        .containsExactly(new LiveIds(1, 1000).removeRandom(10, new Random(3)));
  }
}
