package dev.trickle.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The Markdown report of {@link CaptureBenchmark}: medians over rounds, ratios to bare, targets.
 */
final class CaptureReport {
  private CaptureReport() {}

  /** One measured quantity: how to read it, whether lower is better, and its trigger target. */
  private record Measure(
      String name, Function<CaptureBenchmark.Results, List<Double>> values, boolean lowerIsBetter,
      Double target) {}

  private static final List<Measure> MEASURES =
      List.of(
          new Measure("single-row INSERT, median ms", r -> r.single.get(0), true, null),
          new Measure("single-row UPDATE, median ms", r -> r.single.get(1), true, 1.15),
          new Measure("single-row DELETE, median ms", r -> r.single.get(2), true, null),
          new Measure("bulk UPDATE of 100,000 rows, ms", r -> r.bulk, true, 1.5),
          new Measure("TPS (pgbench -N transaction)", r -> r.tps, false, 0.9));

  static String render(
      CaptureBenchmark.Options o,
      MachineInfo machine,
      String load,
      Map<CaptureContender, CaptureBenchmark.Results> results) {
    CaptureBenchmark.Results bare = results.get(CaptureContender.BARE);
    CaptureBenchmark.Results trigger = results.get(CaptureContender.TRIGGER);
    StringBuilder md = new StringBuilder();
    md.append("# Change capture: what it costs a write\n\n")
        .append("Measured by `dev.trickle.bench.CaptureBenchmark` (module `jmh`) on ")
        .append(LocalDate.now())
        .append(": PostgreSQL ")
        .append(machine.postgres())
        .append(" (embedded, ")
        .append(settings(o.durable()))
        .append(", ")
        .append(EmbeddedServer.LOGICAL.entrySet().stream().sorted(Map.Entry.comparingByKey())
            .map(e -> "`" + e.getKey() + " = " + e.getValue() + "`")
            .collect(Collectors.joining(", ")))
        .append("), ")
        .append(machine.jvm())
        .append(", ")
        .append(machine.cpu())
        .append(", ")
        .append(machine.cores())
        .append(" cores shared with other work, ")
        .append(machine.memory())
        .append(", ")
        .append(machine.os())
        .append(" (1-minute load average ")
        .append(load)
        .append(").\n\n")
        .append("Command: `mvn -B -pl jmh -am -DskipTests -Pcapture-benchmark package`")
        .append(" (this run: `-Dexec.args=\"--scale ")
        .append(o.scale())
        .append(" --rounds ")
        .append(o.rounds())
        .append(" --ops ")
        .append(o.ops())
        .append(" --clients ")
        .append(o.clients())
        .append(" --seconds ")
        .append(o.seconds())
        .append(" --durable ")
        .append(o.durable())
        .append(" --samples ")
        .append(o.samples())
        .append("\"`).\n\n")
        .append("pgbench-shaped tables at scale ")
        .append(o.scale())
        .append(" (")
        .append(
            String.format(
                Locale.ROOT, "%,d", (long) o.scale() * CaptureWorkload.ACCOUNTS_PER_SCALE))
        .append(" rows in `pgbench_accounts`), one copy of `pgbench_accounts` per contender,")
        .append(" written through plain PgJDBC by a non-superuser role that owns them. Contender")
        .append(" `trigger`: one DIFFERENTIAL stream table (`")
        .append(CaptureContender.STREAM_TABLE_QUERY)
        .append("` on its copy, scheduler off) reads the table, so every write to it fires the")
        .append(" capture triggers (which do not notify: no scheduler waits for the table's")
        .append(" changes); `bare`: no stream table. Per round: ")
        .append(o.ops())
        .append(" single-row INSERTs of new accounts, then as many UPDATEs of random accounts,")
        .append(" then DELETEs of the inserted rows, each its own autocommit statement timed by")
        .append(" the client, each statement followed by the same statement on the next")
        .append(" contender's table (a round counts each contender's median); then per contender,")
        .append(" in an order that rotates from round to round, one `UPDATE ... SET abalance =")
        .append(" abalance + 1 WHERE aid % ")
        .append(o.scale())
        .append(" = k` (100,000 rows) and ")
        .append(o.clients())
        .append(" clients running")
        .append(" pgbench's `-N` transaction (update an account, read it, insert a history row,")
        .append(" commit) for ")
        .append(o.seconds())
        .append(" s. Between these, untimed: a")
        .append(" refresh of the stream tables (which consumes the captured rows, as the scheduler")
        .append(" would), `VACUUM` of the written tables and a `CHECKPOINT`. The figures are")
        .append(" medians over the ")
        .append(o.rounds())
        .append(" rounds.\n\n");
    md.append("## Trigger capture against the bare table\n\n")
        .append("| measure | bare | trigger | ratio | target | |\n|---|---|---|---|---|---|\n");
    for (Measure m : MEASURES) {
      double b = median(m.values().apply(bare));
      double t = median(m.values().apply(trigger));
      double ratio = t / b;
      md.append("| ").append(m.name()).append(" | ").append(num(b)).append(" | ")
          .append(num(t)).append(" | ").append(String.format(Locale.ROOT, "%.2f", ratio))
          .append("x | ");
      if (m.target() == null) {
        md.append("| |\n");
      } else {
        boolean met = m.lowerIsBetter() ? ratio <= m.target() : ratio >= m.target();
        md.append(m.lowerIsBetter() ? "≤ " : "≥ ").append(m.target()).append("x | ")
            .append(met ? "met" : "missed").append(" |\n");
      }
    }
    md.append("\n## Each cost of the capture function on its own\n\n")
        .append("The trigger capture with one thing changed, as ratios to bare in the same run:")
        .append(" ");
    for (CaptureContender c : CaptureContender.values()) {
      if (c.triggerVariant() && c != CaptureContender.TRIGGER) {
        md.append("`").append(c.label).append("`: ").append(c.description).append("; ");
      }
    }
    md.setLength(md.length() - 2);
    md.append(".\n\n| measure |");
    long variants = java.util.Arrays.stream(CaptureContender.values())
        .filter(CaptureContender::triggerVariant).count();
    for (CaptureContender c : CaptureContender.values()) {
      if (c.triggerVariant()) {
        md.append(' ').append(c.label).append(" |");
      }
    }
    md.append("\n|---|").append("---|".repeat((int) variants)).append('\n');
    for (Measure m : MEASURES) {
      double b = median(m.values().apply(bare));
      md.append("| ").append(m.name()).append(" |");
      for (CaptureContender c : CaptureContender.values()) {
        if (c.triggerVariant()) {
          md.append(String.format(Locale.ROOT, " %.2fx |",
              median(m.values().apply(results.get(c))) / b));
        }
      }
      md.append('\n');
    }
    md.append(CaptureWalSection.render(results, MEASURES.stream().map(m ->
        new CaptureWalSection.Row(m.name(), m.values(), m.lowerIsBetter())).toList()));
    md.append("\n## Every round\n\n| measure | contender | per round |\n|---|---|---|\n");
    for (Measure m : MEASURES) {
      for (CaptureContender c : CaptureContender.values()) {
        md.append("| ").append(m.name()).append(" | ").append(c.label).append(" | ")
            .append(m.values().apply(results.get(c)).stream().map(CaptureReport::num)
                .collect(Collectors.joining(", ")))
            .append(" |\n");
      }
    }
    return md.toString();
  }

  private static String settings(boolean durable) {
    if (durable) {
      return "PostgreSQL's own durability settings: `fsync`, `synchronous_commit` and"
          + " `full_page_writes` on";
    }
    return EmbeddedServer.SETTINGS.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> "`" + e.getKey() + " = " + e.getValue() + "`")
        .collect(Collectors.joining(", "));
  }

  /** The median of per-round values. */
  static double median(List<Double> values) {
    return CaptureWorkload.median(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** A figure as the capture report prints it: whole above 100, else three decimals. */
  static String num(double v) {
    return v >= 100
        ? String.format(Locale.ROOT, "%,.0f", v)
        : String.format(Locale.ROOT, "%.3f", v);
  }

  /** The 1-minute load average (Linux), to tell how busy the machine was. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
