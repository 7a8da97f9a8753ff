package dev.trickle.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a refresh benchmark run was made, and the lines its report opens with: when the run started
 * and how long it took, the command that reproduces it, the machine, the JVM and the PostgreSQL
 * server with its settings. One place, so that the refresh and TPC-H reports describe their runs
 * the same way.
 *
 * @param started when the run started
 * @param elapsed how long it took
 * @param machine what it ran on
 * @param settings the server settings the run changed
 */
record RunHeader(
    Instant started, Duration elapsed, MachineInfo machine, Map<String, String> settings) {
  RunHeader {
    settings = Map.copyOf(settings);
  }

  /**
   * The Maven command that runs the benchmark of {@code profile} with the given arguments.
   *
   * @param profile the Maven profile that starts the benchmark, e.g. {@code refresh-benchmark}
   * @param arguments the program arguments of this run; none for the defaults
   */
  static String command(String profile, List<String> arguments) {
    String base = "mvn -B -pl jmh -am -DskipTests -P" + profile + " package";
    return arguments.isEmpty()
        ? base
        : base + " -Dexec.args=\"" + String.join(" ", arguments) + "\"";
  }

  /**
   * Appends the Date, Command, Machine, JVM and PostgreSQL lines (a Markdown list) to {@code md}.
   * The PostgreSQL line ends with the server settings and is closed by this method.
   */
  void append(StringBuilder md, String command) {
    md.append("- **Date:** ")
        .append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
            started.atOffset(ZoneOffset.UTC).withNano(0).toLocalDateTime()))
        .append(" UTC; the run took ")
        .append(elapsed.toMinutes()).append(" min ").append(elapsed.toSecondsPart())
        .append(" s\n");
    md.append("- **Command:** `").append(command).append("`\n");
    md.append("- **Machine:** ").append(machine.cpu()).append(", ").append(machine.cores())
        .append(" cores available to the JVM (shared with other work), ").append(machine.memory())
        .append(" RAM, ").append(machine.os()).append("\n");
    md.append("- **JVM:** ").append(machine.jvm()).append("\n");
    md.append("- **PostgreSQL:** ").append(machine.postgres())
        .append(" (embedded, zonky binaries); settings: ");
    List<String> shown = new ArrayList<>();
    new TreeMap<>(settings).forEach((k, v) -> shown.add("`" + k + " = " + v + "`"));
    md.append(String.join(", ", shown)).append("; everything else default\n");
  }
}
