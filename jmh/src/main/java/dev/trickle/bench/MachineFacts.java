package dev.trickle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What the benchmarks ran on, for the report: processors, CPU model, operating system. The JVM and
 * JMH versions come from JMH's own run parameters, the PostgreSQL version from the server.
 */
record MachineFacts(int cores, String cpu, String os) {
  private static final Path CPU_INFO = Path.of("/proc/cpuinfo");

  /** The facts of the machine this JVM runs on. */
  static MachineFacts ofThisMachine() {
    return new MachineFacts(
        Runtime.getRuntime().availableProcessors(),
        cpuModel(),
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
  }

  private static String cpuModel() {
    if (!Files.isReadable(CPU_INFO)) {
      return "unknown";
    }
    try (Stream<String> lines = Files.lines(CPU_INFO)) {
      return lines
          .filter(line -> line.startsWith("model name"))
          .map(line -> line.substring(line.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
