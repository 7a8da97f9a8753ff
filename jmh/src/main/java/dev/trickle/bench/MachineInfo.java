package dev.trickle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * What the benchmark ran on, for the report: processor, cores, memory, operating system, JVM and
 * PostgreSQL server version.
 *
 * @param cpu the processor model (from {@code /proc/cpuinfo}, or "unknown")
 * @param cores processors available to the JVM
 * @param memory total memory (from {@code /proc/meminfo}, or "unknown")
 * @param os operating system name, version and architecture
 * @param jvm JVM name and version
 * @param postgres the server's {@code version()}
 */
record MachineInfo(String cpu, int cores, String memory, String os, String jvm, String postgres) {

  /** Collects the facts, asking the server over {@code plain} for its version. */
  static MachineInfo collect(Connection plain) throws SQLException {
    String version;
    try (Statement st = plain.createStatement();
        ResultSet rs = st.executeQuery("SELECT version()")) {
      rs.next();
      version = rs.getString(1);
    }
    return new MachineInfo(
        procField("/proc/cpuinfo", "model name"),
        Runtime.getRuntime().availableProcessors(),
        totalMemory(),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
            + System.getProperty("os.arch"),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        version);
  }

  private static String totalMemory() {
    String kb = procField("/proc/meminfo", "MemTotal");
    try {
      long k = Long.parseLong(kb.replace("kB", "").trim());
      return String.format(Locale.ROOT, "%.1f GiB", k / 1024.0 / 1024.0);
    } catch (NumberFormatException e) {
      return kb;
    }
  }

  private static String procField(String file, String field) {
    try {
      List<String> lines = Files.readAllLines(Path.of(file));
      for (String line : lines) {
        if (line.startsWith(field)) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      return "unknown";
    }
    return "unknown";
  }
}
