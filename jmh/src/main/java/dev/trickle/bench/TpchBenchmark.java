package dev.trickle.bench;

import dev.trickle.tpch.ChangeCycle;
import dev.trickle.tpch.ChangeCycles;
import dev.trickle.tpch.TpchLoader;
import dev.trickle.tpch.TpchQuery;
import dev.trickle.tpch.TpchSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The TPC-H benchmark: the 22 queries over one TPC-H database (SF 0.1 by default) as a DIFFERENTIAL
 * stream table, a FULL stream table and a materialized view side by side; change cycles (RF2, RF1
 * and updates of every table, each a share of its table) committed in one transaction, then every
 * query's three copies refreshed and timed in turn, both stream tables compared with the query
 * after every cycle, and the history's action of every refresh recorded.
 *
 * <p>A query the driver cannot maintain DIFFERENTIAL is created AUTO, or FULL when AUTO fails too,
 * and reported with what its history recorded. Run it as {@code mvn -B -pl jmh -am -DskipTests
 * -Ptpch-benchmark package -Dexec.args="..."}; options are described by {@link TpchOptions}. See
 * {@code docs/benchmarks/tpch.md}.
 */
public final class TpchBenchmark {
  private static final List<String> MODES = List.of("DIFFERENTIAL", "AUTO", "FULL");
  private static final String EXPECTED = "tpch_expected";

  private final TpchOptions options;
  private final List<TpchMeasurement> results = new ArrayList<>();
  private final TpchRawResults raw;

  private TpchBenchmark(TpchOptions options) {
    this.options = options;
    this.raw = new TpchRawResults(options.outputDirectory().resolve(options.stem() + "-raw.csv"));
  }

  /** Runs the benchmark with the given options (see {@link TpchOptions}). */
  public static void main(String[] args) throws Exception {
    System.setProperty("java.awt.headless", "true");
    new TpchBenchmark(TpchOptions.parse(args)).run();
  }

  private void run() throws Exception {
    Instant started = Instant.now();
    log("options: %s", options);
    MachineInfo machine;
    Map<String, String> settings;
    Map<String, Long> loaded;
    java.nio.file.Path logs = options.outputDirectory().resolve("pg-log");
    try (BenchmarkServer server = options.logStatements()
            ? BenchmarkServer.startLoggingStatements(logs) : BenchmarkServer.start(0, logs);
        Connection trickle = server.connectTrickle(false);
        Connection plain = server.connectPlain()) {
      settings = server.settings();
      for (Connection c : List.of(trickle, plain)) {
        try (Statement st = c.createStatement()) {
          st.execute("SET statement_timeout = '" + options.timeoutSeconds() + "s'");
        }
      }
      machine = MachineInfo.collect(plain);
      log("machine: %s", machine);
      Instant loading = Instant.now();
      loaded = TpchLoader.load(plain, options.scale());
      server.quiesce(TpchSchema.TABLES);
      log("SF %s loaded in %s: %s", options.scaleLabel(), since(loading), loaded);
      try (Statement st = trickle.createStatement()) {
        st.execute("CREATE EXTENSION IF NOT EXISTS pg_trickle");
      }
      Map<Integer, Contenders> contenders = create(trickle, plain, server);
      try {
        int cycleNumber = 0;
        for (double share : options.changes()) {
          Map<Integer, TpchMeasurement> measured = new LinkedHashMap<>();
          contenders.forEach(
              (n, c) ->
                  measured.put(
                      n, new TpchMeasurement(n, share, c.differentialMode(), c.refusals())));
          ChangeCycles changes = new ChangeCycles(share, options.seed());
          for (int cycle = 1; cycle <= options.cycles(); cycle++) {
            cycleNumber++;
            Instant changing = Instant.now();
            ChangeCycle done = changes.apply(plain, cycleNumber);
            log("%s cycle %d/%d: %,d rows changed in %s (%s)", TpchOptions.percent(share), cycle,
                options.cycles(), done.total(), since(changing), done.describe());
            server.quiesce(TpchSchema.TABLES);
            for (Map.Entry<Integer, Contenders> e : contenders.entrySet()) {
              measureCycle(
                  TpchQuery.of(e.getKey()),
                  e.getValue(),
                  measured.get(e.getKey()),
                  cycle,
                  done,
                  plain,
                  server);
            }
          }
          results.addAll(measured.values());
        }
      } finally {
        for (Contenders c : contenders.values()) {
          c.close();
        }
      }
    }
    Duration elapsed = Duration.between(started, Instant.now());
    java.nio.file.Path report = options.outputDirectory().resolve(options.stem() + ".md");
    RunHeader run = new RunHeader(started, elapsed, machine, settings);
    new TpchReport(options, run, loaded, results).write(report);
    new TpchChart(results)
        .write(options.outputDirectory().resolve(options.stem() + "-speedup.png"));
    log("done in %s; report in %s", elapsed, report);
    long wrong = results.stream().filter(m -> m.differences() != 0).count();
    if (wrong > 0) {
      throw new IllegalStateException(
          wrong
              + " query/change configuration(s) left a stream table different"
              + " from its query; see the Anomalies section of "
              + report);
    }
  }

  private Map<Integer, Contenders> create(
      Connection trickle, Connection plain, BenchmarkServer server) throws SQLException {
    Map<Integer, Contenders> contenders = new LinkedHashMap<>();
    List<String> populated = new ArrayList<>();
    for (int n : options.queries()) {
      TpchQuery q = TpchQuery.of(n);
      Instant creating = Instant.now();
      Contenders c = Contenders.create("tpch_" + q.key(), q.sql(), MODES, trickle, plain);
      contenders.put(n, c);
      populated.addAll(c.populatedTables());
      log("%s: created in %s as %s%s", q.title(), since(creating), c.differentialMode(),
          c.refusals().isEmpty() ? "" : " (" + String.join("; ", c.refusals()) + ")");
    }
    server.quiesce(populated);
    return contenders;
  }

  private void measureCycle(
      TpchQuery q,
      Contenders c,
      TpchMeasurement m,
      int cycle,
      ChangeCycle done,
      Connection plain,
      BenchmarkServer server)
      throws SQLException {
    server.quiesce(c.rewrittenTables());
    double differential = c.refreshDifferential();
    RefreshRecord record = c.lastDifferential();
    server.quiesce(c.rewrittenTables());
    double full = c.refreshFull();
    server.quiesce(c.rewrittenTables());
    double matview = c.refreshMatview();
    long differences;
    try (Statement st = plain.createStatement()) {
      st.execute("CREATE TEMP TABLE " + EXPECTED + " AS " + q.sql());
      try {
        differences = c.differences(c.differentialName(), "(TABLE " + EXPECTED + ")")
            + c.differences(c.fullName(), "(TABLE " + EXPECTED + ")");
      } finally {
        st.execute("DROP TABLE " + EXPECTED);
      }
    }
    m.add(done.total(), differential, full, matview, record, differences);
    raw.append(
        options.scale(),
        m.share(),
        cycle,
        done.total(),
        q,
        c.differentialMode(),
        differential,
        full,
        matview,
        record,
        differences);
    String strategy = record.describe();
    if (differences != 0) {
      m.note(
          String.format(
              Locale.ROOT,
              "cycle %d: WRONG RESULT, %d rows differ from the query",
              cycle,
              differences));
      loud(
          "%s %s cycle %d: WRONG RESULT, %d rows differ",
          q.title(), TpchOptions.percent(m.share()), cycle, differences);
    }
    if ("DIFFERENTIAL".equals(m.mode())
        && !record.completedAs("DIFFERENTIAL")
        && !record.completedAs("NO_DATA")) {
      m.note("cycle " + cycle + ": the DIFFERENTIAL stream table's refresh was " + strategy);
      loud("%s cycle %d: DIFFERENTIAL refresh recorded as %s", q.title(), cycle, strategy);
    }
    log(
        "  %-4s %-5s cycle %d  %-12s %9.1f ms  full %9.1f ms  matview %9.1f ms  x%.2f  %s",
        q.title(),
        TpchOptions.percent(m.share()),
        cycle,
        c.differentialMode(),
        differential,
        full,
        matview,
        matview / differential,
        strategy);
  }

  private static String since(Instant start) {
    return Duration.between(start, Instant.now()).toMillis() + " ms";
  }

  private static void log(String format, Object... args) {
    System.out.println("[tpch-benchmark] " + String.format(Locale.ROOT, format, args));
    System.out.flush();
  }

  private static void loud(String format, Object... args) {
    System.err.println("[tpch-benchmark] !!! " + String.format(Locale.ROOT, format, args));
    System.err.flush();
  }
}
