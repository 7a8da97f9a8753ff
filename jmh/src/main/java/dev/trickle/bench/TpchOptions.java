package dev.trickle.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The TPC-H benchmark's command-line options, each {@code --name value} or {@code --name=value}:
 *
 * <ul>
 *   <li>{@code --scale 0.1}: the TPC-H scale factor (1 for SF 1: 6 million lineitems).
 *   <li>{@code --changes 0.1%,1%}: the share of every table each change cycle deletes, inserts and
 *       updates (each); every size runs its own cycles, one after the other.
 *   <li>{@code --cycles 5}: change cycles per change size; times are the median of the cycles
 *       after the first.
 *   <li>{@code --queries 1,3,6} (or {@code Q1,Q3,Q6}): a subset of the 22 queries (default: all).
 *   <li>{@code --seed 42}: seeds the change cycles (the data is the generator's, fixed per scale).
 *   <li>{@code --timeout-s 900}: {@code statement_timeout} of every statement.
 *   <li>{@code --out docs/benchmarks}: where {@code tpch.md}, the chart and the raw CSV go.
 *   <li>{@code --log-statements}: diagnosis: the server logs every statement with its duration and
 *       {@code auto_explain} logs every plan with actual rows and times (nested statements
 *       included) to {@code <out>/pg-log/postgresql.log}; it slows everything down, so do not
 *       publish such a run.
 * </ul>
 *
 * @param scale the scale factor
 * @param changes change shares, e.g. 0.001 for 0.1%
 * @param cycles change cycles per change size
 * @param queries the query numbers to run
 * @param seed the random seed of the change cycles
 * @param timeoutSeconds the statement timeout
 * @param outputDirectory where results are written
 * @param logStatements whether the server logs every statement and plan
 * @param arguments the arguments as given, for the report's command line
 */
record TpchOptions(
    double scale,
    List<Double> changes,
    int cycles,
    List<Integer> queries,
    long seed,
    int timeoutSeconds,
    Path outputDirectory,
    boolean logStatements,
    List<String> arguments) {

  /** Parses the arguments; unknown options fail with a message listing the known ones. */
  static TpchOptions parse(String[] args) {
    double scale = 0.1;
    List<Double> changes = List.of(0.001, 0.01);
    int cycles = 5;
    List<Integer> queries = range();
    long seed = 42;
    int timeout = 900;
    Path out = Path.of("docs/benchmarks");
    boolean logStatements = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      if (name.equals("--log-statements")) {
        logStatements = true;
        continue;
      }
      String value =
          arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : next(args, ++i, name);
      switch (name) {
        case "--scale" -> scale = Double.parseDouble(value);
        case "--changes" ->
            changes = Arrays.stream(value.split(",")).map(TpchOptions::share).toList();
        case "--cycles" -> cycles = Integer.parseInt(value);
        case "--queries" ->
            queries =
                Arrays.stream(value.split(",")).map(TpchOptions::queryNumber).toList();
        case "--seed" -> seed = Long.parseLong(value);
        case "--timeout-s" -> timeout = Integer.parseInt(value);
        case "--out" -> out = Path.of(value);
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + name
                    + "; known: --scale, --changes,"
                    + " --cycles, --queries, --seed, --timeout-s, --out, --log-statements");
      }
    }
    if (cycles < 2) {
      throw new IllegalArgumentException("--cycles must be at least 2 (the first is not counted)");
    }
    return new TpchOptions(
        scale, changes, cycles, queries, seed, timeout, out, logStatements, List.of(args));
  }

  /** {@code 0.1%} for 0.001. */
  static String percent(double share) {
    return new java.math.BigDecimal(Double.toString(share * 100))
            .stripTrailingZeros()
            .toPlainString()
        + "%";
  }

  /** The scale factor as written, e.g. {@code 0.1}. */
  String scaleLabel() {
    return new java.math.BigDecimal(Double.toString(scale)).stripTrailingZeros().toPlainString();
  }

  /**
   * The stem of the output files: {@code tpch} for the default SF 0.1 ({@code tpch.md}, {@code
   * tpch-raw.csv}, {@code tpch-speedup.png}), {@code tpch-sf1} and so on for other scales, so runs
   * at several scales sit side by side.
   */
  String stem() {
    return scale == 0.1 ? "tpch" : "tpch-sf" + scaleLabel().replace('.', '_');
  }

  private static double share(String text) {
    String t = text.trim();
    return t.endsWith("%")
        ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100
        : Double.parseDouble(t);
  }

  /** A query's number from {@code 19} or {@code Q19}; anything else is refused by name. */
  private static int queryNumber(String text) {
    String t = text.trim();
    String digits = t.regionMatches(true, 0, "Q", 0, 1) ? t.substring(1) : t;
    if (digits.matches("[0-9]{1,2}")) {
      int n = Integer.parseInt(digits);
      if (n >= 1 && n <= 22) {
        return n;
      }
    }
    throw new IllegalArgumentException(
        "--queries: '" + t + "' is not a TPC-H query; give numbers 1 to 22 (or Q1 to Q22)");
  }

  private static List<Integer> range() {
    List<Integer> all = new ArrayList<>();
    for (int n = 1; n <= 22; n++) {
      all.add(n);
    }
    return List.copyOf(all);
  }

  private static String next(String[] args, int i, String name) {
    if (i >= args.length) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    return args[i];
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "SF %s, changes %s, %d cycles each, queries %s, seed %d%s",
        scaleLabel(),
        changes.stream().map(TpchOptions::percent).toList(),
        cycles,
        queries,
        seed,
        logStatements ? ", logging every statement" : "");
  }
}
