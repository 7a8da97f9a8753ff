package dev.trickle.bench;

import dev.trickle.rewriter.scan.StatementScanner;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The time {@link StatementScanner#mayConcernTrickle} takes per statement, averaged over the {@link
 * StatementCorpus} of {@value StatementCorpus#SIZE} statements: the part of the driver's
 * pass-through cost that grows with the statement's length.
 *
 * <p>Not final: JMH generates subclasses of its state classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ScannerBenchmark {
  private String[] statements;

  /** Generates the corpus. */
  @Setup
  public void generateCorpus() {
    statements =
        StatementCorpus.generate().stream().map(StatementCorpus.Entry::sql).toArray(String[]::new);
  }

  /** Scans every statement of the corpus once; JMH divides the time by the corpus size. */
  @Benchmark
  @OperationsPerInvocation(StatementCorpus.SIZE)
  public void scanCorpus(Blackhole answers) {
    for (String sql : statements) {
      answers.consume(StatementScanner.mayConcernTrickle(sql));
    }
  }
}
