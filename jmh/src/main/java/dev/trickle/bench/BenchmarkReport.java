package dev.trickle.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link PassThroughBenchmark} and {@link ScannerBenchmark} in one JMH run and writes {@code
 * docs/benchmarks/pass-through.md} and the raw {@code pass-through.json} under the repository root.
 *
 * <p>The root is the first argument, else the system property {@code trickle.repo.root}, else
 * {@code ..} (the repository root when started from the {@code jmh} directory). The settings suit a
 * small shared machine: about four and a half minutes in all, four short forks per benchmark and
 * driver so that a burst of load from another process, which lasts seconds, spoils a few
 * iterations rather than a whole result; what noise remains shows in the error bars.
 */
public final class BenchmarkReport {
  /** The command, run from the repository root, that produces the committed report. */
  static final String COMMAND =
      "mvn -B -q -pl jmh -am package -DskipTests && java -jar jmh/target/benchmarks.jar .";

  private BenchmarkReport() {}

  /**
   * Runs the benchmarks and writes the report.
   *
   * @param args optionally the repository root
   */
  public static void main(String[] args) throws IOException, RunnerException, SQLException {
    Path root = repositoryRoot(args);
    Path directory = root.resolve("docs").resolve("benchmarks");
    Files.createDirectories(directory);
    Path json = directory.resolve("pass-through.json");
    Path markdown = directory.resolve("pass-through.md");

    Collection<RunResult> runs = new Runner(options(json)).run();
    PassThroughReport report =
        new PassThroughReport(
            runs,
            MachineFacts.ofThisMachine(),
            EmbeddedServer.version(),
            ZonedDateTime.now(ZoneOffset.UTC),
            COMMAND);
    String text = report.markdown();
    Files.writeString(markdown, text, StandardCharsets.UTF_8);
    System.out.println(text);
    System.out.println("wrote " + markdown.toAbsolutePath().normalize());
    System.out.println("wrote " + json.toAbsolutePath().normalize());
  }

  private static Options options(Path json) {
    return new OptionsBuilder()
        .include(onlyMethodsOf(PassThroughBenchmark.class))
        .include(onlyMethodsOf(ScannerBenchmark.class))
        .forks(4)
        .warmupIterations(2)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(5)
        .measurementTime(TimeValue.seconds(1))
        .threads(1)
        .shouldFailOnError(true)
        .resultFormat(ResultFormatType.JSON)
        .result(json.toString())
        .build();
  }

  private static String onlyMethodsOf(Class<?> benchmark) {
    return "^" + Pattern.quote(benchmark.getName() + ".");
  }

  private static Path repositoryRoot(String[] args) {
    String given =
        args.length > 0 ? args[0] : System.getProperty("trickle.repo.root", "..");
    Path root = Path.of(given).toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("jmh").resolve("pom.xml"))) {
      throw new IllegalArgumentException(
          root
              + " is not the Trickle repository root (no jmh/pom.xml there); pass the root as"
              + " the first argument, e.g. java -jar jmh/target/benchmarks.jar .");
    }
    return root;
  }
}
