package dev.trickle.bench;

import dev.trickle.jdbc.TrickleDriver;
import dev.trickle.rewriter.scan.StatementSplitter;
import dev.trickle.scheduler.RefreshScheduler;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;

/**
 * Change-to-visible latency of the background scheduler: the seed's chain (departments →
 * department_tree → department_stats → department_report, docs/getting-started.sql steps 1-3) with
 * only department_report scheduled, every second. Each sample commits one write to employees and
 * polls department_report (every 0.2 ms, on another connection) until it shows the write; the
 * latency is from the commit's return to the first read that shows it.
 *
 * <p>Two runs: <b>spaced</b> writes, each more than the schedule after the previous refresh (the
 * scheduler's reaction: notification, pass, three refreshes); and <b>back-to-back</b> writes, each
 * right after the previous one became visible, where the 1 s schedule paces the refreshes by
 * design. Results are written as Markdown.
 *
 * <p>Run from the repository root: {@code mvn -B -pl jmh -am -DskipTests -Platency-benchmark
 * package [-Dexec.args="--writes 200 --back-to-back 30 --out docs/benchmarks/latency.md"]}; it
 * starts an embedded PostgreSQL with default settings.
 */
public final class LatencyBenchmark {
  private static final String SCHEDULE = "1s";
  private static final Duration SPACING = Duration.ofMillis(1100);
  private static final int WARMUP = 20;

  private LatencyBenchmark() {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    int writes = NamedArgs.intArg(args, "--writes", 200);
    int backToBack = NamedArgs.intArg(args, "--back-to-back", 30);
    Path out = Path.of(NamedArgs.stringArg(args, "--out", "docs/benchmarks/latency.md"));
    Path script = Path.of(NamedArgs.stringArg(args, "--script", "docs/getting-started.sql"));
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      String url = EmbeddedServer.trickleUrl(pg);
      Properties props = EmbeddedServer.superuserWithoutScheduler();
      try (Connection setup = DriverManager.getConnection(url, props);
          Connection reader = DriverManager.getConnection(url, props)) {
        createChain(setup, script);
        RefreshScheduler scheduler = TrickleDriver.startScheduler(url, props);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!scheduler.isLeader() && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        String loadBefore = CaptureReport.loadAverage();
        Sampler sampler = new Sampler(setup, reader);
        sampler.run(WARMUP, SPACING);
        sampler.takeMoments();
        long[] spaced = sampler.run(writes, SPACING);
        List<Instant[]> spacedMoments = sampler.takeMoments();
        long[] paced = sampler.run(backToBack, Duration.ZERO);
        List<Refreshes> refreshes = refreshDurations(setup);
        String breakdown = Breakdown.of(setup, spacedMoments);
        String version = serverVersion(setup);
        String load = loadBefore + " before, " + CaptureReport.loadAverage() + " after";
        scheduler.stop(Duration.ofSeconds(10));
        Files.createDirectories(out.getParent());
        Files.writeString(out, report(spaced, paced, refreshes, breakdown, version, load));
        System.out.println(Files.readString(out));
      }
    }
  }

  /** Steps 1-3 of the script, with department_report on the schedule and the rest calculated. */
  private static void createChain(Connection c, Path script) throws IOException, SQLException {
    String text = Files.readString(script);
    String steps = text.substring(0, text.indexOf("-- Step 4a"));
    int tree = steps.indexOf("schedule => '1m'");
    steps = steps.substring(0, tree) + "schedule => 'calculated'" + steps.substring(tree + 16);
    steps = steps.replace("schedule => '1m'", "schedule => '" + SCHEDULE + "'");
    try (Statement st = c.createStatement()) {
      for (String sql : StatementSplitter.split(steps)) {
        st.execute(sql);
      }
    }
  }

  /** Commits writes and times how long each takes to reach department_report. */
  private static final class Sampler {
    private final PreparedStatement write;
    private final PreparedStatement read;
    private BigDecimal payroll;
    private long lastVisible = System.nanoTime();
    private final List<Instant[]> moments = new ArrayList<>();

    Sampler(Connection writer, Connection reader) throws SQLException {
      write =
          writer.prepareStatement(
              "UPDATE employees SET salary = salary + 1 WHERE name = 'Alice'");
      read =
          reader.prepareStatement(
              "SELECT total_payroll FROM department_report WHERE division = 'Engineering'");
      payroll = payroll();
    }

    /** Commit and first-visible wall-clock times of the samples since the last call. */
    List<Instant[]> takeMoments() {
      List<Instant[]> taken = new ArrayList<>(moments);
      moments.clear();
      return taken;
    }

    /** {@code n} samples, each written at least {@code spacing} after the last was visible. */
    long[] run(int n, Duration spacing) throws Exception {
      long[] latencies = new long[n];
      for (int i = 0; i < n; i++) {
        long wait = lastVisible + spacing.toNanos() - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        BigDecimal expected = payroll.add(BigDecimal.ONE);
        write.executeUpdate();
        long committed = System.nanoTime();
        Instant committedAt = Instant.now();
        long timeout = committed + Duration.ofSeconds(30).toNanos();
        while (payroll().compareTo(expected) != 0) {
          if (System.nanoTime() > timeout) {
            throw new IllegalStateException("department_report did not show write " + i);
          }
          LockSupport.parkNanos(200_000);
        }
        lastVisible = System.nanoTime();
        latencies[i] = lastVisible - committed;
        moments.add(new Instant[] {committedAt, Instant.now()});
        payroll = expected;
      }
      return latencies;
    }

    private BigDecimal payroll() throws SQLException {
      try (ResultSet rs = read.executeQuery()) {
        rs.next();
        return rs.getBigDecimal(1);
      }
    }
  }

  /** Scheduled refreshes of one stream table by strategy: count and median duration. */
  private record Refreshes(String streamTable, String action, long count, double medianMs) {}

  private static List<Refreshes> refreshDurations(Connection c) throws SQLException {
    List<Refreshes> rows = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT s.pgt_name, h.action, count(*),"
                    + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM"
                    + " h.end_time - h.start_time) * 1000)"
                    + " FROM pgtrickle.pgt_refresh_history h"
                    + " JOIN pgtrickle.pgt_stream_tables s USING (pgt_id)"
                    + " WHERE h.initiated_by = 'SCHEDULER' AND h.status = 'COMPLETED'"
                    + " GROUP BY 1, 2 ORDER BY 1, 2")) {
      while (rs.next()) {
        rows.add(new Refreshes(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getDouble(4)));
      }
    }
    return rows;
  }

  private static String serverVersion(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String report(
      long[] spaced,
      long[] paced,
      List<Refreshes> refreshes,
      String breakdown,
      String serverVersion,
      String load) {
    StringBuilder md = new StringBuilder();
    md.append("# Change-to-visible latency\n\n")
        .append("Measured by `dev.trickle.bench.LatencyBenchmark` (module `jmh`) on ")
        .append(LocalDate.now())
        .append(": PostgreSQL ")
        .append(serverVersion)
        .append(" (embedded, default settings), Java ")
        .append(Runtime.version())
        .append(", ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" CPUs shared with other work (1-minute load average ")
        .append(load)
        .append(").\n\n")
        .append("Command: `mvn -B -pl jmh -am -DskipTests -Platency-benchmark package` (about five")
        .append(" minutes; `-Dexec.args=\"--writes 200 --back-to-back 30\"` sets the samples).\n\n")
        .append("The seed's chain `departments → department_tree → department_stats →")
        .append(" department_report` (docs/getting-started.sql steps 1-3), only")
        .append(" `department_report`")
        .append(" scheduled (`")
        .append(SCHEDULE)
        .append("`), the other two `calculated`. A sample commits `UPDATE employees SET salary =")
        .append(" salary + 1` for one employee and polls `department_report` every 0.2 ms on")
        .append(" another connection; latency runs from the commit's return to the first read")
        .append(" that shows the new payroll. The write reaches `department_report` through")
        .append(" `department_stats` (two refreshes; `department_tree` does not read employees).")
        .append(" ")
        .append(WARMUP)
        .append(" warm-up samples are not counted.\n\n")
        .append("| run | samples | p50 ms | p90 ms | p99 ms | max ms | mean ms |\n")
        .append("|---|---|---|---|---|---|---|\n")
        .append(row("spaced (each write > 1 s after the last refresh)", spaced))
        .append(row("back-to-back (next write right after the last became visible)", paced))
        .append("\nTarget for spaced writes: p50 ≤ 15 ms, p99 ≤ 100 ms.\n\n")
        .append("Back-to-back writes wait for the schedule by design: a `1s` schedule refreshes")
        .append(" a stream table at most once a second, so a change committed right after a")
        .append(" refresh becomes visible at the next one, up to 1 s later (it is never more")
        .append(" than the schedule stale).\n\n")
        .append("Scheduled refreshes during the runs (duration from the refresh's snapshot to its")
        .append(" end, as `pgt_refresh_history` records it):\n\n")
        .append("| stream table | action | refreshes | median ms |\n|---|---|---|---|\n");
    for (Refreshes r : refreshes) {
      md.append(
          String.format(
              Locale.ROOT, "| %s | %s | %d | %.1f |%n", r.streamTable(), r.action(), r.count(),
              r.medianMs()));
    }
    md.append("\n").append(breakdown);
    return md.toString();
  }

  private static String row(String name, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return String.format(
        Locale.ROOT,
        "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n",
        name,
        sorted.length,
        ms(percentile(sorted, 50)),
        ms(percentile(sorted, 90)),
        ms(percentile(sorted, 99)),
        ms(sorted[sorted.length - 1]),
        ms((long) Arrays.stream(sorted).average().orElse(0)));
  }

  /** Nearest-rank percentile of sorted values. */
  private static long percentile(long[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static double ms(long nanos) {
    return nanos / 1_000_000.0;
  }
}
