package dev.trickle.bench;

import dev.trickle.bench.BenchmarkQuery.Source;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * The refresh benchmark (issues 4 and 5): for every query and source size, in one run against one
 * embedded PostgreSQL, times a DIFFERENTIAL stream-table refresh, a FULL stream-table refresh and
 * {@code REFRESH MATERIALIZED VIEW} of the same query after the same change, for each change size.
 *
 * <p>Per query and size: untimed warm-up changes and refreshes, so the driver's code is JIT-compiled
 * before timing; then per change size and repetition a fresh seeded change is applied and the three
 * are refreshed (the same change serves all three, so each sees exactly the same data): the
 * DIFFERENTIAL one first, then the FULL one and the materialized view timed alike (with {@code
 * --settle}, after one untimed read of the query; each right after a vacuum and checkpoint; their
 * order alternated between repetitions). The history must show every DIFFERENTIAL
 * refresh completed as DIFFERENTIAL; after the last repetition the DIFFERENTIAL stream table is
 * compared with its query ({@code EXCEPT ALL} both ways). Fallbacks and wrong results are printed
 * loudly and listed in the report; a wrong result also fails the run after the report is written.
 *
 * <p>Run it as {@code mvn -B -pl jmh -am -DskipTests -Prefresh-benchmark package
 * -Dexec.args="..."}; options are described by {@link BenchmarkOptions}. See {@code
 * docs/benchmarks/README.md}.
 */
public final class RefreshBenchmark {
  private static final int WARM_UP_ROWS = 10;
  private static final String QUERY_CANCELED = "57014";

  private final BenchmarkOptions options;
  private final List<RefreshMeasurement> results = new ArrayList<>();
  private final RawResults raw;

  private RefreshBenchmark(BenchmarkOptions options) {
    this.options = options;
    this.raw = new RawResults(options.outputDirectory().resolve("refresh-raw.csv"));
  }

  /** Runs the benchmark with the given options (see {@link BenchmarkOptions}). */
  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    new RefreshBenchmark(BenchmarkOptions.parse(args)).run();
  }

  private void run() throws Exception {
    Instant started = Instant.now();
    log("options: %s", options);
    MachineInfo machine;
    Map<String, String> settings;
    try (BenchmarkServer server =
            options.logStatements()
                ? BenchmarkServer.startLoggingStatements(
                    options.outputDirectory().resolve("pg-log"))
                : BenchmarkServer.start(
                    options.explainOverMillis(), options.outputDirectory().resolve("pg-log"));
        Connection trickle = server.connectTrickle(options.debugPlan());
        Connection plain = server.connectPlain()) {
      settings = server.settings();
      try (Statement st = trickle.createStatement()) {
        st.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
        st.execute("SET statement_timeout = '" + options.timeoutSeconds() + "s'");
      }
      try (Statement st = plain.createStatement()) {
        st.execute("SET statement_timeout = '" + options.timeoutSeconds() + "s'");
      }
      machine = MachineInfo.collect(plain);
      log("machine: %s", machine);
      for (int size : options.sizes()) {
        Instant built = Instant.now();
        SourceTables tables = SourceTables.create(plain, size, options.treeSizeFor(size), options.seed());
        ChangeWorkload workload = new ChangeWorkload(tables);
        log("sources for %,d rows built in %s", size, since(built));
        for (BenchmarkQuery query : options.queries()) {
          if (query.sources().contains(Source.TREE) && tables.treeNodes() == 0) {
            log(
                "%s skipped at %,d rows: the hierarchy is capped at --tree-max %,d",
                query.key(), size, options.treeMax());
            continue;
          }
          measure(query, tables, workload, trickle, plain, server);
        }
      }
    }
    Duration elapsed = Duration.between(started, Instant.now());
    new ResultReport(options, new RunHeader(started, elapsed, machine, settings), results)
        .write(options.outputDirectory().resolve("refresh.md"));
    new SpeedupChart(results).write(options.outputDirectory().resolve("refresh-speedup.png"));
    log("done in %s; report in %s", elapsed, options.outputDirectory().resolve("refresh.md"));
    long wrong = results.stream().filter(m -> m.differences() > 0).count();
    if (wrong > 0) {
      throw new IllegalStateException(wrong + " configuration(s) left the DIFFERENTIAL stream table"
          + " different from its query; see the Anomalies section of the report");
    }
  }

  private void measure(
      BenchmarkQuery query,
      SourceTables tables,
      ChangeWorkload workload,
      Connection trickle,
      Connection plain,
      BenchmarkServer server)
      throws SQLException {
    int sourceRows = query.sources().contains(Source.TREE) ? tables.treeNodes() : tables.orders();
    Contenders contenders = null;
    try {
      for (int c = 0; c < options.changes().size(); c++) {
        ChangeSize change = options.changes().get(c);
        if (contenders == null) {
          try {
            contenders = prepare(query, sourceRows, workload, trickle, plain, server);
          } catch (SQLException e) {
            loud(
                "%s at %,d rows: creating the contenders failed: %s",
                query.key(), sourceRows, e.getMessage());
            results.add(failed(query, sourceRows, change, "creation failed: " + e.getMessage()));
            continue;
          }
        }
        RefreshMeasurement m;
        try {
          m = measureChange(query, sourceRows, change, c, workload, contenders, plain, server);
        } catch (SQLException e) {
          loud(
              "%s at %,d rows, change %s: failed: %s",
              query.key(), sourceRows, change, e.getMessage());
          m = failed(query, sourceRows, change, "failed: " + e.getMessage());
        }
        results.add(m);
        if (!m.complete()) {
          // Pending changes or a half-done state would spoil the next configuration: start afresh.
          contenders.close();
          contenders = null;
        }
      }
    } finally {
      if (contenders != null) {
        contenders.close();
      }
    }
  }

  /**
   * Creates the three copies, then warms up: one untimed change refreshed by all three, and {@code
   * --warmup} more refreshed by the DIFFERENTIAL one only, so the driver's refresh path is compiled
   * by the JIT and its statements are prepared before anything is timed (a FULL refresh or a
   * materialized view's cost does not depend on how many changes are pending).
   */
  private Contenders prepare(
      BenchmarkQuery query,
      int sourceRows,
      ChangeWorkload workload,
      Connection trickle,
      Connection plain,
      BenchmarkServer server)
      throws SQLException {
    Instant created = Instant.now();
    Contenders contenders = Contenders.create(query, trickle, plain);
    try {
      if (options.indexId()) {
        contenders.indexId();
      }
      log("%s at %,d rows: created in %s", query.key(), sourceRows, since(created));
      server.quiesce(contenders.populatedTables());
      workload.apply(plain, query, WARM_UP_ROWS, random(sourceRows, query, -1, 0));
      contenders.refreshDifferential();
      contenders.refreshFull();
      contenders.refreshMatview();
      for (int round = 1; round <= options.warmup(); round++) {
        workload.apply(plain, query, WARM_UP_ROWS, random(sourceRows, query, -1, round));
        contenders.refreshDifferential();
      }
      return contenders;
    } catch (SQLException e) {
      contenders.close();
      throw e;
    }
  }

  private RefreshMeasurement measureChange(
      BenchmarkQuery query,
      int sourceRows,
      ChangeSize change,
      int changeIndex,
      ChangeWorkload workload,
      Contenders contenders,
      Connection plain,
      BenchmarkServer server)
      throws SQLException {
    int rows = change.rowsFor(sourceRows);
    String where = String.format(Locale.ROOT, "%s at %,d rows, %s changed", query.key(), sourceRows,
        change.label(sourceRows));
    List<Double> differential = new ArrayList<>();
    List<Double> full = new ArrayList<>();
    List<Double> matview = new ArrayList<>();
    List<Double> unsettled = new ArrayList<>();
    List<RefreshRecord> records = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    boolean timedOut = false;
    for (int rep = 0; rep < options.repetitions() && !timedOut; rep++) {
      server.quiesce(contenders.rewrittenTables());
      double unsettledMillis = settle(query, sourceRows, changeIndex, rep, workload, contenders, plain);
      if (!Double.isNaN(unsettledMillis)) {
        unsettled.add(unsettledMillis);
      }
      double differentialMillis = Double.NaN;
      RefreshRecord record = null;
      try {
        int samples = rows <= BenchmarkOptions.SAMPLED_CHANGE_ROWS ? options.samples() : 1;
        List<Double> sampled = new ArrayList<>(samples);
        for (int sample = 0; sample < samples; sample++) {
          workload.apply(plain, query, rows, random(sourceRows, query, changeIndex, rep + 10_000 * sample));
          sampled.add(contenders.refreshDifferential());
          record = contenders.lastDifferential();
          if (sample + 1 < samples && !record.completedAs("DIFFERENTIAL")) {
            notes.add(
                "repetition "
                    + (rep + 1)
                    + ", sample "
                    + (sample + 1)
                    + ": the DIFFERENTIAL stream"
                    + " table's refresh was "
                    + record.describe());
          }
        }
        differentialMillis = RefreshMeasurement.median(sampled);
        differential.add(differentialMillis);
      } catch (SQLException e) {
        if (!QUERY_CANCELED.equals(e.getSQLState())) {
          throw e;
        }
        timedOut = true;
        record = new RefreshRecord("TIMED_OUT", "CANCELLED", "statement_timeout", 0, 0, Double.NaN);
        notes.add(
            "repetition "
                + (rep + 1)
                + ": the DIFFERENTIAL refresh was cancelled by statement_timeout"
                + " after "
                + options.timeoutSeconds()
                + " s");
        loud("%s: DIFFERENTIAL refresh timed out after %d s", where, options.timeoutSeconds());
      }
      if (!timedOut) {
        records.add(record);
        if (!record.completedAs("DIFFERENTIAL")) {
          notes.add("repetition " + (rep + 1) + ": the DIFFERENTIAL stream table's refresh was "
              + record.describe());
          loud("%s: DIFFERENTIAL refresh recorded as %s", where, record.describe());
        }
      }
      boolean fullFirst = rep % 2 == 0;
      if (options.settle() > 0) {
        // The first to read the changed source rows sets their hint bits; neither timed one pays
        // for it. (An untimed refresh cannot serve: the FULL stream table would then skip the
        // timed one, its sources unchanged.)
        contenders.readQuery();
      }
      double[] recomputed = timeRecomputing(contenders, fullFirst, server);
      full.add(recomputed[0]);
      matview.add(recomputed[1]);
      RefreshRecord fullRecord = contenders.lastFull();
      if (!fullRecord.completedAs("FULL")) {
        notes.add(
            "repetition "
                + (rep + 1)
                + ": the FULL stream table's refresh was "
                + fullRecord.describe());
      }
      raw.append(query, sourceRows, change, rows, rep + 1, differentialMillis, full.get(rep), matview.get(rep),
          unsettledMillis, record);
      if (!timedOut && differentialMillis > options.slowMillis() && rep + 1 < options.repetitions()) {
        notes.add(
            String.format(
                Locale.ROOT,
                "only %d of %d repetitions: a DIFFERENTIAL refresh took %,.0f ms"
                    + " (over --slow-ms %d)",
                rep + 1,
                options.repetitions(),
                differentialMillis,
                options.slowMillis()));
        break;
      }
    }
    long differences = -1;
    if (!timedOut) {
      differences = contenders.differentialDifferences();
      if (differences != 0) {
        notes.add(
            "WRONG RESULT: after the last repetition the DIFFERENTIAL stream table differs from its"
                + " query by "
                + differences
                + " rows (EXCEPT ALL both ways)");
        loud("%s: WRONG RESULT, %d rows differ", where, differences);
      }
    }
    RefreshMeasurement m = new RefreshMeasurement(query, sourceRows, change, rows, differential, full, matview,
        unsettled, records, timedOut, differences, notes);
    log(
        "%-15s %,10d rows  %-16s  diff %9.1f ms  full %9.1f ms  matview %9.1f ms  x%.1f vs matview "
            + " x%.1f vs full  %s",
        query.key(),
        sourceRows,
        change.label(sourceRows),
        m.differential(),
        m.full(),
        m.matview(),
        m.speedupVsMatview(),
        m.speedupVsFull(),
        records.isEmpty() ? "timed out" : records.get(records.size() - 1).describe());
    return m;
  }

  /**
   * Times the FULL stream table's refresh and the materialized view's, each right after a vacuum
   * and checkpoint of both, in the given order (alternated between repetitions, so neither always
   * runs first); returns {FULL ms, materialized view ms}.
   */
  private static double[] timeRecomputing(
      Contenders contenders, boolean fullFirst, BenchmarkServer server) throws SQLException {
    double[] millis = new double[2];
    for (int turn = 0; turn < 2; turn++) {
      boolean timeFull = (turn == 0) == fullFirst;
      server.quiesce(contenders.rewrittenTables());
      if (timeFull) {
        millis[0] = contenders.refreshFull();
      } else {
        millis[1] = contenders.refreshMatview();
      }
    }
    return millis;
  }

  /**
   * Runs the {@code --settle} untimed cycles of 10 changed rows and a DIFFERENTIAL refresh, so the
   * timed one sees the state its own previous refresh left rather than the other contenders'
   * rewrites; returns the time of the first of them (the one right after the rewrites), NaN with
   * none.
   */
  private double settle(
      BenchmarkQuery query,
      int sourceRows,
      int changeIndex,
      int rep,
      ChangeWorkload workload,
      Contenders contenders,
      Connection plain)
      throws SQLException {
    double first = Double.NaN;
    for (int cycle = 0; cycle < options.settle(); cycle++) {
      workload.apply(plain, query, WARM_UP_ROWS,
          random(sourceRows, query, changeIndex, -1_000 * (rep + 1) - cycle));
      double millis = contenders.refreshDifferential();
      if (cycle == 0) {
        first = millis;
      }
    }
    return first;
  }

  private RefreshMeasurement failed(BenchmarkQuery query, int sourceRows, ChangeSize change, String why) {
    return new RefreshMeasurement(query, sourceRows, change, change.rowsFor(sourceRows), List.of(), List.of(),
        List.of(), List.of(), List.of(), false, -1, List.of(why));
  }

  private Random random(int sourceRows, BenchmarkQuery query, int changeIndex, int repetition) {
    return new Random(Objects.hash(options.seed(), sourceRows, query.ordinal(), changeIndex, repetition));
  }

  private static String since(Instant start) {
    return Duration.between(start, Instant.now()).toMillis() + " ms";
  }

  private static void log(String format, Object... args) {
    System.out.println("[refresh-benchmark] " + String.format(Locale.ROOT, format, args));
    System.out.flush();
  }

  private static void loud(String format, Object... args) {
    System.err.println("[refresh-benchmark] !!! " + String.format(Locale.ROOT, format, args));
    System.err.flush();
  }
}
