package dev.trickle.bench;

import dev.trickle.jdbc.TrickleDriver;
import dev.trickle.scheduler.RefreshScheduler;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The scheduler with many stream tables: {@code --stream-tables} (300) small DIFFERENTIAL stream
 * tables, every {@code 1s}, over {@code --sources} (30) tables of 1,000 rows, alternately an
 * aggregate ({@code GROUP BY grp}) and a filter of one group. While a writer changes one row of a
 * random source (other than the first) every {@code --write-ms} (200) ms for {@code --seconds} (60),
 * a sampler changes a row of the first source about once a second and polls the aggregate over it
 * until the change shows. Reported: the time to create a stream table, the refreshes the scheduler
 * completed per second and their median duration ({@code pgt_refresh_history}), and the sampled
 * change-to-visible latency. Per-refresh fixed costs decide these figures, which is what a faster
 * path for small refreshes would have to move.
 *
 * <p>Run with {@code mvn -B -pl jmh -am -DskipTests -Pscheduler-scale-benchmark package}; the report
 * goes to {@code --out} ({@code docs/benchmarks/scheduler-scale.md}).
 */
public final class SchedulerScaleBenchmark {
  private static final int ROWS = 1_000;
  private static final Duration SPACING = Duration.ofMillis(1_200);

  private SchedulerScaleBenchmark() {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    int streamTables = NamedArgs.intArg(args, "--stream-tables", 300);
    int sources = NamedArgs.intArg(args, "--sources", 30);
    int writeMs = NamedArgs.intArg(args, "--write-ms", 200);
    int seconds = NamedArgs.intArg(args, "--seconds", 60);
    Path out =
        Path.of(NamedArgs.stringArg(args, "--out", "docs/benchmarks/scheduler-scale.md"));
    Instant started = Instant.now();
    try (EmbeddedPostgres pg = EmbeddedServer.start()) {
      String url = EmbeddedServer.trickleUrl(pg);
      Properties props = EmbeddedServer.superuserWithoutScheduler();
      try (Connection setup = DriverManager.getConnection(url, props);
          Connection sampler = DriverManager.getConnection(url, props)) {
        MachineInfo machine = MachineInfo.collect(setup);
        createSources(setup, sources);
        double createMs = createStreamTables(setup, streamTables, sources);
        RefreshScheduler scheduler = TrickleDriver.startScheduler(url, props);
        awaitLeader(scheduler);
        Thread.sleep(5_000);
        String loadBefore = CaptureReport.loadAverage();
        Instant windowStart = serverNow(setup);
        Writer writer = new Writer(url, props, sources, writeMs);
        writer.start();
        List<Double> latencies;
        try {
          latencies = sample(sampler, Duration.ofSeconds(seconds));
        } finally {
          writer.stop();
        }
        Instant windowEnd = serverNow(setup);
        String history = history(setup, windowStart, windowEnd);
        String load = loadBefore + " before, " + CaptureReport.loadAverage() + " after";
        scheduler.stop(Duration.ofSeconds(30));
        RunHeader header =
            new RunHeader(
                started, Duration.between(started, Instant.now()), machine,
                EmbeddedServer.SETTINGS);
        String report =
            report(header, args, streamTables, sources, writeMs, createMs, writer.writes(),
                seconds, latencies, history, load);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.out.println(report);
      }
    }
  }

  private static void createSources(Connection c, int sources) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("CREATE EXTENSION pg_trickle");
      for (int s = 0; s < sources; s++) {
        st.execute("CREATE TABLE src_" + s + " (id int PRIMARY KEY, grp int NOT NULL, v int NOT NULL)");
        st.execute("INSERT INTO src_" + s + " SELECT g, g % 10, g FROM generate_series(1, " + ROWS
            + ") g");
      }
    }
  }

  /** Creates the stream tables; returns the median creation time in ms. */
  private static double createStreamTables(Connection c, int streamTables, int sources)
      throws SQLException {
    List<Double> times = new ArrayList<>();
    try (Statement st = c.createStatement()) {
      for (int j = 0; j < streamTables; j++) {
        String source = "src_" + (j % sources);
        String query =
            j % 2 == 0
                ? "SELECT grp, count(*) AS n, sum(v) AS total FROM " + source + " GROUP BY grp"
                : "SELECT id, v FROM " + source + " WHERE grp = " + (j % 10);
        long t0 = System.nanoTime();
        st.execute("SELECT pgtrickle.create_stream_table('st_" + j + "', $q$" + query
            + "$q$, schedule => '1s', refresh_mode => 'DIFFERENTIAL')");
        times.add((System.nanoTime() - t0) / 1e6);
        if ((j + 1) % 100 == 0) {
          System.out.println("[scheduler-scale] " + (j + 1) + " stream tables created");
        }
      }
    }
    return CaptureReport.median(times);
  }

  private static void awaitLeader(RefreshScheduler scheduler) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!scheduler.isLeader() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  /** Change-to-visible latencies (ms) of writes to src_0, shown by st_0 (its group 1). */
  private static List<Double> sample(Connection c, Duration length) throws Exception {
    List<Double> latencies = new ArrayList<>();
    long end = System.nanoTime() + length.toNanos();
    try (PreparedStatement write =
            c.prepareStatement("UPDATE src_0 SET v = v + 1 WHERE id = 1");
        PreparedStatement read =
            c.prepareStatement("SELECT total FROM st_0 WHERE grp = 1")) {
      BigDecimal shown = value(read);
      while (System.nanoTime() < end) {
        Thread.sleep(SPACING.toMillis());
        write.executeUpdate();
        long committed = System.nanoTime();
        BigDecimal expected = shown.add(BigDecimal.ONE);
        long timeout = committed + Duration.ofSeconds(60).toNanos();
        while (value(read).compareTo(expected) != 0) {
          if (System.nanoTime() > timeout) {
            throw new IllegalStateException(
                "st_0 did not show a write within 60 s: the scheduler cannot keep up with this"
                    + " load; write less often (--write-ms) or to fewer stream tables");
          }
          LockSupport.parkNanos(200_000);
        }
        latencies.add((System.nanoTime() - committed) / 1e6);
        shown = expected;
      }
    }
    return latencies;
  }

  private static BigDecimal value(PreparedStatement read) throws SQLException {
    try (ResultSet rs = read.executeQuery()) {
      rs.next();
      return rs.getBigDecimal(1);
    }
  }

  private static Instant serverNow(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
      rs.next();
      return rs.getTimestamp(1).toInstant();
    }
  }

  /** The scheduled refreshes that started in the window, by action: a Markdown table. */
  private static String history(Connection c, Instant from, Instant to) throws SQLException {
    StringBuilder md = new StringBuilder("| action | refreshes | per second | median ms | p90 ms |\n");
    md.append("|---|---|---|---|---|\n");
    double seconds = Duration.between(from, to).toMillis() / 1000.0;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT action, count(*),"
                + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM"
                + " end_time - start_time) * 1000),"
                + " percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM"
                + " end_time - start_time) * 1000)"
                + " FROM pgtrickle.pgt_refresh_history WHERE initiated_by = 'SCHEDULER'"
                + " AND status = 'COMPLETED' AND start_time BETWEEN ? AND ?"
                + " GROUP BY action ORDER BY action")) {
      ps.setTimestamp(1, java.sql.Timestamp.from(from));
      ps.setTimestamp(2, java.sql.Timestamp.from(to));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          md.append(String.format(Locale.ROOT, "| %s | %,d | %.1f | %.1f | %.1f |%n",
              rs.getString(1), rs.getLong(2), rs.getLong(2) / seconds, rs.getDouble(3),
              rs.getDouble(4)));
        }
      }
    }
    return md.toString();
  }

  private static String report(
      RunHeader header, String[] args, int streamTables, int sources, int writeMs,
      double createMs, long writes, int seconds, List<Double> latencies, String history,
      String load) {
    List<Double> sorted = new ArrayList<>(latencies);
    sorted.sort(null);
    StringBuilder md = new StringBuilder("# The scheduler with many stream tables\n\n");
    header.append(md, RunHeader.command("scheduler-scale-benchmark", Arrays.asList(args)));
    md.append("- **Load:** 1-minute load average ").append(load).append(".\n\n");
    md.append(String.format(Locale.ROOT,
        "%,d DIFFERENTIAL stream tables scheduled every `1s` over %,d tables of %,d rows (every"
            + " other one `SELECT grp, count(*), sum(v) ... GROUP BY grp`, the rest `SELECT id,"
            + " v ... WHERE grp = k`), one scheduler in serial mode. Creating a stream table took"
            + " %.1f ms (median). For %d s a writer changed one row of a random source every %d ms"
            + " (%,d writes) while a sampler changed a row of `src_0` about once a second and"
            + " polled `st_0` until it showed the change.%n%n",
        streamTables, sources, ROWS, createMs, seconds, writeMs, writes));
    md.append("Scheduled refreshes that started in the window (`pgt_refresh_history`, snapshot to"
        + " history row):\n\n").append(history).append('\n');
    md.append(String.format(Locale.ROOT,
        "Change to visible for `st_0`, %d samples: p50 %.1f ms, p90 %.1f ms, max %.1f ms.%n",
        sorted.size(), at(sorted, 0.5), at(sorted, 0.9), at(sorted, 1.0)));
    return md.toString();
  }

  private static double at(List<Double> sorted, double q) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
  }

  /** Changes one row of a random source (other than src_0) every {@code writeMs} ms. */
  private static final class Writer {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong writes = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Thread thread;

    Writer(String url, Properties props, int sources, int writeMs) {
      thread =
          new Thread(
              () -> {
                Random random = new Random(42);
                try (Connection c = DriverManager.getConnection(url, props);
                    Statement st = c.createStatement()) {
                  while (running.get()) {
                    int source = 1 + random.nextInt(Math.max(1, sources - 1));
                    st.executeUpdate("UPDATE src_" + source + " SET v = v + 1 WHERE id = "
                        + (1 + random.nextInt(ROWS)));
                    writes.incrementAndGet();
                    Thread.sleep(writeMs);
                  }
                } catch (SQLException | InterruptedException e) {
                  if (running.get()) {
                    failure.set(e);
                  }
                }
              },
              "scheduler-scale-writer");
    }

    void start() {
      thread.start();
    }

    /** Stops the writer; throws what made it stop early, if anything did. */
    void stop() throws Exception {
      running.set(false);
      thread.join();
      if (failure.get() != null) {
        throw failure.get();
      }
    }

    long writes() {
      return writes.get();
    }
  }
}
