package dev.trickle.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trickle.rewriter.scan.StatementScanner;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatementCorpusTest {
  private final List<StatementCorpus.Entry> corpus = StatementCorpus.generate();

  @Test
  void holdsTheAnnouncedNumberOfStatementsAndIsTheSameEveryTime() {
    assertThat(corpus).hasSize(StatementCorpus.SIZE).isEqualTo(StatementCorpus.generate());
  }

  @Test
  void scannerAgreesWithEveryLabel() {
    assertThat(corpus)
        .allSatisfy(
            entry ->
                assertThat(StatementScanner.mayConcernTrickle(entry.sql()))
                    .as(entry.sql())
                    .isEqualTo(entry.concernsTrickle()));
  }

  @Test
  void mostStatementsPassThroughAndSomeConcernTrickle() {
    long concerning = corpus.stream().filter(StatementCorpus.Entry::concernsTrickle).count();
    assertThat(concerning).isBetween(20L, 100L);
  }
}
