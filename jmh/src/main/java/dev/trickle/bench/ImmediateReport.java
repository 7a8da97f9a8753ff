package dev.trickle.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The Markdown report of {@link ImmediateBenchmark}: medians over rounds, ratios to bare side by
 * side with the targets and with pg_ivm's ratios as measured on another machine, then the writers'
 * run. Sections written by hand after the generated part (from {@value #HAND_WRITTEN} on) are kept
 * when the report is written again.
 */
final class ImmediateReport {
  /** The heading from which an existing report's hand-written analysis is carried over. */
  static final String HAND_WRITTEN = "## Reading these numbers";

  private ImmediateReport() {}

  /**
   * {@code generated} followed by the hand-written part of the report already at {@code out}, if
   * there is one.
   */
  static String withHandWritten(Path out, String generated) throws IOException {
    if (!Files.exists(out)) {
      return generated;
    }
    String old = Files.readString(out, StandardCharsets.UTF_8);
    int at = old.indexOf(HAND_WRITTEN);
    return at < 0 ? generated : generated + "\n" + old.substring(at);
  }

  /**
   * One measured quantity: how to read it, whether lower is better, the target ratio for the join
   * and the aggregate (null: none), and pg_ivm's ratio for them as measured elsewhere (text).
   */
  private record Measure(
      String name, Function<ImmediateBenchmark.Results, List<Double>> values,
      boolean lowerIsBetter, Double joinTarget, Double aggregateTarget, String pgIvm) {}

  private static final List<Measure> MEASURES =
      List.of(
          new Measure("single-row INSERT, median ms", r -> r.single.get(0), true, null, null, ""),
          new Measure("single-row UPDATE, median ms", r -> r.single.get(1), true, 1.5, 2.0,
              "join 3.0x"),
          new Measure("single-row DELETE, median ms", r -> r.single.get(2), true, null, null, ""),
          new Measure("bulk UPDATE of 100,000 rows, ms", r -> r.bulk, true, 2.5, null, ""),
          new Measure("TPS, 8 clients (pgbench -N transaction)", r -> r.tps, false, null, 0.6,
              "aggregate 0.16x"));

  static String render(
      ImmediateBenchmark.Options o,
      MachineInfo machine,
      String load,
      Map<ImmediateContender, ImmediateBenchmark.Results> results,
      List<ImmediateWorkload.WritersResult> writers) {
    ImmediateBenchmark.Results bare = results.get(ImmediateContender.BARE);
    StringBuilder md = new StringBuilder();
    md.append("# IMMEDIATE maintenance: what it costs a write\n\n")
        .append("Measured by `dev.trickle.bench.ImmediateBenchmark` (module `jmh`) on ")
        .append(LocalDate.now()).append(": PostgreSQL ").append(machine.postgres())
        .append(" (embedded), ").append(machine.jvm()).append(", ").append(machine.cpu())
        .append(", ").append(machine.cores()).append(" cores shared with other work, ")
        .append(machine.memory()).append(", ").append(machine.os())
        .append(" (1-minute load average ").append(load).append(").\n\n")
        .append("Command: `mvn -B -pl jmh -am -DskipTests -Pimmediate-benchmark package`")
        .append(" (arguments: `-Dexec.args=\"--scale ").append(o.scale()).append(" --rounds ")
        .append(o.rounds()).append(" --ops ").append(o.ops()).append(" --clients ")
        .append(o.clients()).append(" --seconds ").append(o.seconds()).append(" --warmup ")
        .append(o.warmup()).append(" --writers ")
        .append(o.writers()).append(" --writer-seconds ").append(o.writerSeconds())
        .append(" --soak-seconds ").append(o.soakSeconds())
        .append("\"`).\n\n")
        .append("Tables as `pgbench -i -s ").append(o.scale()).append("` lays them out (")
        .append(String.format(Locale.ROOT, "%,d", (long) o.scale() * CaptureWorkload.ACCOUNTS_PER_SCALE))
        .append(" accounts, ").append(o.scale()).append(" branches), one copy of the accounts")
        .append(" table per contender: *bare* (no stream table), *join* (IMMEDIATE `SELECT a.aid,")
        .append(" a.abalance, b.bbalance FROM accounts a JOIN pgbench_branches b ON a.bid = b.bid`),")
        .append(" *aggregate* (IMMEDIATE `SELECT bid, count(*), sum(abalance) FROM accounts GROUP")
        .append(" BY bid`). Writes through PgJDBC in autocommit; single-row statements alternate")
        .append(" between the three tables statement by statement, so the ratios are measured side")
        .append(" by side. Each value is the median over ").append(o.rounds())
        .append(" rounds (single rows: the median of ").append(o.ops())
        .append(" statements per round). The TPS window starts once each client has run ")
        .append(o.warmup()).append(" transactions on its connection (a session that has written")
        .append(" 32 single-statement transactions in a row locks only the groups it changes; see")
        .append(" [../immediate.md](../immediate.md)). pg_ivm is not installed here; its ratios are the ones")
        .append(" measured with PostgreSQL 15 and pgbench at scale 20 on another machine.\n\n");
    md.append("| measure | bare | join | ratio | target | aggregate | ratio | target | pg_ivm |\n")
        .append("|---|---|---|---|---|---|---|---|---|\n");
    for (Measure m : MEASURES) {
      double b = median(m.values().apply(bare));
      double j = median(m.values().apply(results.get(ImmediateContender.JOIN)));
      double a = median(m.values().apply(results.get(ImmediateContender.AGGREGATE)));
      md.append("| ").append(m.name()).append(" | ").append(num(b)).append(" | ").append(num(j))
          .append(" | ").append(ratio(j, b)).append(" | ").append(target(m, m.joinTarget()))
          .append(" | ").append(num(a)).append(" | ").append(ratio(a, b)).append(" | ")
          .append(target(m, m.aggregateTarget())).append(" | ").append(m.pgIvm()).append(" |\n");
    }
    md.append("\nThe stream tables equal their queries after the rounds: join ")
        .append(results.get(ImmediateContender.JOIN).mismatchedRows).append(" rows differ, aggregate ")
        .append(results.get(ImmediateContender.AGGREGATE).mismatchedRows).append(".\n\n");
    md.append("## Writers\n\n")
        .append(o.writers()).append(" connections for ").append(o.writerSeconds())
        .append(" s on an orders table (").append(String.format(Locale.ROOT, "%,d", ImmediateWorkload.ORDERS))
        .append(" rows at the start), each transaction inserting an order or changing one's amount")
        .append(" and status, a third of them two or three such statements between BEGIN and")
        .append(" COMMIT; with an IMMEDIATE `SELECT status, count(*), sum(amount) FROM orders GROUP")
        .append(" BY status` (").append(ImmediateWorkload.STATUSES).append(" groups) and without")
        .append(o.soakSeconds() > 0 ? "; then the same with the aggregate for " + o.soakSeconds()
            + " s (the soak)" : "").append(".\n\n")
        .append("| orders | seconds | committed/s | deadlocks (40P01) | serialization failures | other failures |")
        .append(" stream table rows differing from its query |\n|---|---|---|---|---|---|---|\n");
    String[] labels = {"bare", "IMMEDIATE aggregate", "IMMEDIATE aggregate, soak"};
    for (int i = 0; i < writers.size(); i++) {
      ImmediateWorkload.WritersResult w = writers.get(i);
      md.append("| ").append(labels[i]).append(" | ").append(String.format(Locale.ROOT, "%.0f", w.seconds()))
          .append(" | ").append(num(w.tps())).append(" | ")
          .append(w.deadlocks()).append(" | ").append(w.serializationFailures()).append(" | ")
          .append(w.otherFailures()).append(" | ").append(i == 0 ? "-" : String.valueOf(w.mismatchedRows()))
          .append(" |\n");
    }
    md.append("\nIMMEDIATE / bare committed per second: ")
        .append(ratio(writers.get(1).tps(), writers.get(0).tps())).append(".\n");
    return md.toString();
  }

  private static String target(Measure m, Double target) {
    if (target == null) {
      return "";
    }
    return (m.lowerIsBetter() ? "<= " : ">= ") + num(target) + "x";
  }

  private static String ratio(double value, double bare) {
    return String.format(Locale.ROOT, "%.2fx", value / bare);
  }

  private static double median(List<Double> values) {
    return CaptureWorkload.median(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static String num(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
  }
}
