package dev.trickle.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.RunnerException;

/**
 * Runs {@link PassThroughBenchmark} and {@link ScannerBenchmark} (as {@link BenchmarkRun} says) and
 * writes {@code docs/benchmarks/pass-through.md} and JMH's JSON of the same results, {@code
 * pass-through.json}, under the repository root.
 *
 * <p>The root is the first argument, else the system property {@code trickle.repo.root}, else
 * {@code ..} (the repository root when started from the {@code jmh} directory).
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

    List<RunResult> runs = BenchmarkRun.execute();
    try (PrintStream out =
        new PrintStream(Files.newOutputStream(json), true, StandardCharsets.UTF_8)) {
      ResultFormatFactory.getInstance(ResultFormatType.JSON, out).writeOut(runs);
    }
    PassThroughReport report =
        new PassThroughReport(
            runs,
            MachineFacts.ofThisMachine(),
            EmbeddedServer.version(),
            ZonedDateTime.now(ZoneOffset.UTC),
            BenchmarkRun.describe(),
            COMMAND);
    String text = report.markdown();
    Files.writeString(markdown, text, StandardCharsets.UTF_8);
    System.out.println(text);
    System.out.println("wrote " + markdown.toAbsolutePath().normalize());
    System.out.println("wrote " + json.toAbsolutePath().normalize());
  }

  private static Path repositoryRoot(String[] args) {
    String given = args.length > 0 ? args[0] : System.getProperty("trickle.repo.root", "..");
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
