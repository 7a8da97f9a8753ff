package dev.trickle.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * How the report's benchmarks are run on a small shared machine, where other processes take the CPU
 * in bursts that last seconds and can double a round trip's time.
 *
 * <p>JMH runs all forks of one parameter value before the next, so a burst could land on every fork
 * of one driver and none of the other. Instead, each {@link PassThroughBenchmark} loop runs in
 * {@value #ROUNDS} rounds of one fork per driver, plain and trickle back to back, in the order
 * plain-trickle, trickle-plain, plain-trickle, ... so that neither driver always goes first. The
 * forks of one loop and driver are then merged into one {@link RunResult}, exactly as JMH merges
 * the forks of one run, so scores and confidence intervals are JMH's own. The scanner, which does
 * not compare anything, runs as one ordinary JMH run.
 *
 * <p>In all about four and a half minutes: each fork warms up for {@value #WARMUP_ITERATIONS} × 1 s
 * and measures {@value #MEASUREMENT_ITERATIONS} × 1 s.
 */
final class BenchmarkRun {
  /** Forks per pass-through loop and driver, interleaved between the drivers. */
  static final int ROUNDS = 4;

  private static final int WARMUP_ITERATIONS = 2;
  private static final int MEASUREMENT_ITERATIONS = 5;
  private static final int SCANNER_FORKS = 2;

  private BenchmarkRun() {}

  /**
   * Runs every benchmark.
   *
   * @return one result per pass-through loop and driver, then the scanner's
   */
  static List<RunResult> execute() throws RunnerException {
    Map<String, List<RunResult>> forks = new LinkedHashMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      for (int loop = 0; loop < PassThroughBenchmark.LOOPS.size(); loop++) {
        boolean plainFirst = (round + loop) % 2 == 0;
        for (String driver :
            plainFirst
                ? List.of(PassThroughBenchmark.PLAIN, PassThroughBenchmark.TRICKLE)
                : List.of(PassThroughBenchmark.TRICKLE, PassThroughBenchmark.PLAIN)) {
          String benchmark =
              PassThroughBenchmark.class.getName() + "." + PassThroughBenchmark.LOOPS.get(loop);
          forks
              .computeIfAbsent(benchmark + " " + driver, k -> new ArrayList<>())
              .addAll(new Runner(passThroughFork(benchmark, driver)).run());
        }
      }
    }
    List<RunResult> results = new ArrayList<>();
    forks.values().forEach(runs -> results.add(merge(runs)));
    results.addAll(new Runner(scanner()).run());
    return results;
  }

  /** The run's shape in words, for the report. */
  static String describe() {
    return String.format(
        "pass-through: %d rounds of 1 fork per loop and driver, plain and trickle interleaved;"
            + " scanner: %d forks; every fork: warmup %d × 1 s, measurement %d × 1 s, 1 thread",
        ROUNDS, SCANNER_FORKS, WARMUP_ITERATIONS, MEASUREMENT_ITERATIONS);
  }

  private static ChainedOptionsBuilder common() {
    return new OptionsBuilder()
        .warmupIterations(WARMUP_ITERATIONS)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(MEASUREMENT_ITERATIONS)
        .measurementTime(TimeValue.seconds(1))
        .threads(1)
        .shouldFailOnError(true);
  }

  private static Options passThroughFork(String benchmark, String driver) {
    return common()
        .include("^" + Pattern.quote(benchmark) + "$")
        .param("driver", driver)
        .forks(1)
        .build();
  }

  private static Options scanner() {
    return common()
        .include("^" + Pattern.quote(ScannerBenchmark.class.getName() + "."))
        .forks(SCANNER_FORKS)
        .build();
  }

  /** One result holding the forks of all rounds, as JMH holds the forks of one run. */
  private static RunResult merge(List<RunResult> rounds) {
    List<BenchmarkResult> forks = new ArrayList<>();
    for (RunResult round : rounds) {
      forks.addAll(round.getBenchmarkResults());
    }
    return new RunResult(rounds.get(0).getParams(), forks);
  }
}
