package dev.trickle.bench;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;

/**
 * Renders the results of one {@link BenchmarkRun} of {@link PassThroughBenchmark} and {@link
 * ScannerBenchmark} as {@code docs/benchmarks/pass-through.md}: every figure in it comes from the
 * run, none is typed in.
 */
final class PassThroughReport {
  private static final Map<String, String> LOOP_NAMES =
      Map.of(
          "selectOne", "`SELECT 1` (Statement, executeQuery, read)",
          "pointQuery", "prepared point query on 10,000 rows",
          "insertBatch", "batch of 100 prepared inserts");

  private final Collection<RunResult> runs;
  private final MachineFacts machine;
  private final String postgresVersion;
  private final ZonedDateTime measuredAt;
  private final String runShape;
  private final String command;

  PassThroughReport(
      Collection<RunResult> runs,
      MachineFacts machine,
      String postgresVersion,
      ZonedDateTime measuredAt,
      String runShape,
      String command) {
    this.runs = List.copyOf(runs);
    this.machine = machine;
    this.postgresVersion = postgresVersion;
    this.measuredAt = measuredAt;
    this.runShape = runShape;
    this.command = command;
  }

  /** The report as Markdown. */
  String markdown() {
    BenchmarkParams params = runs.iterator().next().getParams();
    List<DriverComparison> comparisons = comparisons();
    Measurement scanner = scanner();
    StringBuilder md = new StringBuilder();
    md.append("# Driver pass-through overhead\n\n")
        .append("Measured ")
        .append(measuredAt.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
        .append(" and written by `dev.trickle.bench.BenchmarkReport`; do not edit by hand. ")
        .append("Raw JMH output: [pass-through.json](pass-through.json). ")
        .append("What is measured and why: [README.md](README.md).\n\n")
        .append("Reproduce from the repository root:\n\n")
        .append("```\n")
        .append(command)
        .append("\n```\n\n");
    appendMachine(md, params);
    appendPassThrough(md, comparisons);
    appendScanner(md, scanner, comparisons);
    return md.toString();
  }

  private void appendMachine(StringBuilder md, BenchmarkParams params) {
    md.append("## Machine and settings\n\n")
        .append("| | |\n|---|---|\n")
        .append(row("processors available to the JVM", String.valueOf(machine.cores())))
        .append(row("CPU", machine.cpu()))
        .append(row("operating system", machine.os()))
        .append(row("JVM", params.getVmName() + " " + params.getVmVersion()))
        .append(
            row(
                "PostgreSQL",
                postgresVersion
                    + " (embedded, zonky binaries, loopback TCP; "
                    + serverSettings()
                    + ")"))
        .append(row("JMH", params.getJmhVersion() + ", mode " + params.getMode().longLabel()))
        .append(row("run", runShape))
        .append('\n');
  }

  private void appendPassThrough(StringBuilder md, List<DriverComparison> comparisons) {
    md.append("## Trickle driver against plain PgJDBC\n\n")
        .append("The same statement loop through `jdbc:postgresql:` (plain) and through ")
        .append(
            "`jdbc:trickle:postgresql:` (trickle), each fork on its own embedded server in its ")
        .append(
            "own JVM, the two drivers' forks interleaved in the same run. Scores are average time"
                + " per ")
        .append("operation ± the half-width of JMH's 99.9% confidence interval. The ratio's error ")
        .append("propagates both relative errors in quadrature. Target: overhead at most 1% ")
        .append("(ratio ≤ ")
        .append(String.format(Locale.ROOT, "%.2f", DriverComparison.TARGET_RATIO))
        .append("); \"meets\" or \"misses\" only when the whole interval is on one side.\n\n")
        .append("The last column divides the medians of the measurement iterations instead of the ")
        .append("means: a burst of load from another process moves it less, but it has no error ")
        .append("bars.\n\n")
        .append("| statement loop | plain (µs/op) | trickle (µs/op) | trickle / plain | overhead ")
        .append("| 1% target | median trickle / plain |\n")
        .append("|---|---:|---:|---:|---:|---|---:|\n");
    for (DriverComparison c : comparisons) {
      md.append("| ")
          .append(LOOP_NAMES.getOrDefault(c.loop(), c.loop()))
          .append(" | ")
          .append(c.plain().format(2))
          .append(" | ")
          .append(c.trickle().format(2))
          .append(" | ")
          .append(c.formatRatio())
          .append(" | ")
          .append(c.formatOverhead())
          .append(" | ")
          .append(c.verdict())
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.4f", c.medianRatio()))
          .append(" |\n");
    }
    md.append('\n');
  }

  private void appendScanner(
      StringBuilder md, Measurement scanner, List<DriverComparison> comparisons) {
    List<StatementCorpus.Entry> corpus = StatementCorpus.generate();
    long concerning = corpus.stream().filter(StatementCorpus.Entry::concernsTrickle).count();
    double meanLength = corpus.stream().mapToInt(e -> e.sql().length()).average().orElse(0);
    md.append("## Scanner\n\n")
        .append("`StatementScanner.mayConcernTrickle`, the test every statement passes through, ")
        .append("over a generated corpus of realistic statements (ORM selects with joins, inserts ")
        .append("with many values, updates, DDL, comments, dollar-quoted bodies, and some that do ")
        .append("concern Trickle).\n\n")
        .append(
            "| statements | mean length (chars) | concern Trickle | time per statement (ns) |\n")
        .append("|---:|---:|---:|---:|\n")
        .append("| ")
        .append(corpus.size())
        .append(" | ")
        .append(String.format(Locale.ROOT, "%.0f", meanLength))
        .append(" | ")
        .append(concerning)
        .append(" | ")
        .append(scanner.format(1))
        .append(" |\n\n");
    comparisons.stream()
        .filter(c -> c.loop().equals("selectOne"))
        .findFirst()
        .ifPresent(
            selectOne ->
                md.append("Scanning a statement of the corpus's mean length takes ")
                    .append(
                        String.format(
                            Locale.ROOT,
                            "%.3f%%",
                            scanner.score() / (selectOne.plain().score() * 1000) * 100))
                    .append(" of the plain `SELECT 1` loop's time above (whose own 8-character")
                    .append(" statement scans far faster).\n"));
  }

  private List<DriverComparison> comparisons() {
    Map<String, Map<String, Measurement>> byLoop = new TreeMap<>();
    for (RunResult run : runs) {
      String driver = run.getParams().getParam("driver");
      if (driver != null) {
        byLoop
            .computeIfAbsent(loopName(run), k -> new TreeMap<>())
            .put(driver, Measurement.of(run));
      }
    }
    List<DriverComparison> comparisons = new ArrayList<>();
    for (String loop : PassThroughBenchmark.LOOPS) {
      Map<String, Measurement> drivers = byLoop.get(loop);
      if (drivers == null
          || !drivers.containsKey(PassThroughBenchmark.PLAIN)
          || !drivers.containsKey(PassThroughBenchmark.TRICKLE)) {
        throw new IllegalStateException("the run has no plain and trickle results for " + loop);
      }
      comparisons.add(
          new DriverComparison(
              loop,
              drivers.get(PassThroughBenchmark.PLAIN),
              drivers.get(PassThroughBenchmark.TRICKLE)));
    }
    return comparisons;
  }

  private Measurement scanner() {
    return runs.stream()
        .filter(run -> run.getParams().getBenchmark().startsWith(ScannerBenchmark.class.getName()))
        .map(Measurement::of)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("the run has no scanner result"));
  }

  private static String loopName(RunResult run) {
    String benchmark = run.getParams().getBenchmark();
    return benchmark.substring(benchmark.lastIndexOf('.') + 1);
  }

  private static String serverSettings() {
    return new TreeMap<>(EmbeddedServer.SETTINGS)
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(", "));
  }

  private static String row(String name, String value) {
    return "| " + name + " | " + value + " |\n";
  }
}
