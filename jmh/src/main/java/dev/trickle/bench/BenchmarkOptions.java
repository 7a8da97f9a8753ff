package dev.trickle.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The benchmark's command-line options. Each is {@code --name value} or {@code --name=value}:
 *
 * <ul>
 *   <li>{@code --sizes 10000,100000,1000000}: rows of {@code orders} (and of {@code tree}, capped by
 *       {@code --tree-max}); {@code customers} has a tenth as many.
 *   <li>{@code --changes 10,1000,1%}: changed source rows per refresh.
 *   <li>{@code --repetitions 5}: timed refreshes per configuration (the median is reported).
 *   <li>{@code --samples 15}: for changes of at most {@link #SAMPLED_CHANGE_ROWS} rows, each
 *       repetition times this many consecutive change-and-DIFFERENTIAL-refresh cycles and counts
 *       their median: a refresh of a few milliseconds on a shared machine is otherwise at the
 *       mercy of one scheduling hiccup; larger changes are timed once per repetition.
 *   <li>{@code --warmup 100}: untimed cycles of 10 changed rows and a DIFFERENTIAL refresh after
 *       creating the stream tables of a query and size, before anything is timed, so the timed
 *       refreshes see the steady state of a stream table that refreshes again and again (compiled
 *       Java, prepared statements), as one on a 1 s schedule has after two minutes, not its first
 *       refreshes; 0 for none.
 *   <li>{@code --settle 3}: before each timed repetition, untimed cycles of 10 changed rows and a
 *       DIFFERENTIAL refresh, and after the change one untimed read of the query before the
 *       timed FULL and materialized-view refreshes: the DIFFERENTIAL one is timed in the state its
 *       own previous refresh left, not right after the other contenders rewrote a million rows
 *       through shared buffers, and neither recomputing one pays alone for being the first to read
 *       the changed rows; 0 for none (then the DIFFERENTIAL refresh is timed right after the
 *       previous repetition's FULL and materialized-view rewrites, and the first of the two
 *       recomputing ones, alternately, reads the changed rows first).
 *   <li>{@code --queries scan,filter,...}: a subset of {@link BenchmarkQuery} (default: all).
 *   <li>{@code --tree-max 100000}: the largest hierarchy built for the recursive query.
 *   <li>{@code --seed 42}: seeds the data and every change.
 *   <li>{@code --out docs/benchmarks}: where the report, chart and raw CSV go.
 *   <li>{@code --timeout-s 60}: {@code statement_timeout} for refreshes; a DIFFERENTIAL refresh
 *       cancelled by it is reported as timed out and its contenders are rebuilt.
 *   <li>{@code --slow-ms 5000}: after a DIFFERENTIAL refresh slower than this, the configuration
 *       gets no further repetitions (the report says how many ran).
 *   <li>{@code --explain-over-ms 0}: when positive, {@code auto_explain} logs the plan of every
 *       statement slower than this to {@code <out>/pg-log/postgresql.log} (diagnosis only: it slows
 *       every statement down).
 *   <li>{@code --log-statements}: diagnosis: the server logs every statement with its duration and
 *       {@code auto_explain} every plan with actual rows, times and buffers (nested statements
 *       included) to {@code <out>/pg-log/postgresql.log}; not for timing runs.
 *   <li>{@code --index-id}: after creating them, give the FULL stream table and the materialized
 *       view a unique index on their {@code id} column (every query but the aggregates and the
 *       hierarchy has one), as a stream table read by key carries: times the FULL refresh of an
 *       indexed storage against {@code REFRESH MATERIALIZED VIEW} rebuilding the same index.
 *   <li>{@code --debug-plan}: connect with {@code trickle.debug_plan=true} (logs compiler plans).
 * </ul>
 *
 * @param sizes source sizes, ascending
 * @param changes change sizes
 * @param repetitions timed repetitions per configuration
 * @param samples DIFFERENTIAL cycles timed per repetition for small changes (their median counts)
 * @param warmup untimed DIFFERENTIAL refresh cycles before the timed ones
 * @param settle untimed DIFFERENTIAL refresh cycles before each timed repetition (and whether the
 *     query is read once, untimed, before the timed FULL and materialized-view refreshes)
 * @param queries the queries to run
 * @param treeMax the largest hierarchy for the recursive query
 * @param seed the random seed
 * @param timeoutSeconds the statement timeout for refreshes
 * @param slowMillis the DIFFERENTIAL time after which a configuration is not repeated
 * @param explainOverMillis auto_explain threshold, 0 for off
 * @param outputDirectory where results are written
 * @param debugPlan whether the compiler logs its plans
 * @param logStatements whether the server logs every statement and its plan
 * @param indexId whether the FULL stream table and the materialized view get a unique index on id
 * @param arguments the arguments as given, for the report's reproduce command
 */
public record BenchmarkOptions(
    List<Integer> sizes,
    List<ChangeSize> changes,
    int repetitions,
    int samples,
    int warmup,
    int settle,
    List<BenchmarkQuery> queries,
    int treeMax,
    long seed,
    int timeoutSeconds,
    int slowMillis,
    int explainOverMillis,
    Path outputDirectory,
    boolean debugPlan,
    boolean logStatements,
    boolean indexId,
    List<String> arguments) {

  /** Changed rows up to which each repetition times {@link #samples} DIFFERENTIAL cycles. */
  public static final int SAMPLED_CHANGE_ROWS = 1_000;

  /** Parses the command line; throws {@link IllegalArgumentException} naming a bad option. */
  public static BenchmarkOptions parse(String... args) {
    List<Integer> sizes = List.of(10_000, 100_000, 1_000_000);
    List<ChangeSize> changes = List.of(ChangeSize.parse("10"), ChangeSize.parse("1000"), ChangeSize.parse("1%"));
    int repetitions = 5;
    int samples = 15;
    int warmup = 100;
    int settle = 3;
    List<BenchmarkQuery> queries = List.of(BenchmarkQuery.values());
    int treeMax = 100_000;
    long seed = 42;
    int timeoutSeconds = 60;
    int slowMillis = 5000;
    int explainOverMillis = 0;
    Path out = Path.of("docs", "benchmarks");
    boolean debugPlan = false;
    boolean logStatements = false;
    boolean indexId = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--debug-plan")) {
        debugPlan = true;
        continue;
      }
      if (arg.equals("--log-statements")) {
        logStatements = true;
        continue;
      }
      if (arg.equals("--index-id")) {
        indexId = true;
        continue;
      }
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      String value;
      if (eq >= 0) {
        value = arg.substring(eq + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("option " + name + " needs a value");
      }
      switch (name) {
        case "--sizes" -> sizes = list(value, BenchmarkOptions::positive).stream().sorted().toList();
        case "--changes" -> changes = list(value, ChangeSize::parse);
        case "--repetitions" -> repetitions = positive(value);
        case "--samples" -> samples = positive(value);
        case "--warmup" -> warmup = nonNegative(value);
        case "--settle" -> settle = nonNegative(value);
        case "--queries" -> queries = list(value, BenchmarkQuery::forKey);
        case "--tree-max" -> treeMax = positive(value);
        case "--seed" -> seed = Long.parseLong(value);
        case "--timeout-s" -> timeoutSeconds = positive(value);
        case "--slow-ms" -> slowMillis = positive(value);
        case "--explain-over-ms" -> explainOverMillis = positive(value);
        case "--out" -> out = Path.of(value);
        default -> throw new IllegalArgumentException("unknown option " + name);
      }
    }
    return new BenchmarkOptions(
        sizes, changes, repetitions, samples, warmup, settle, queries, treeMax, seed, timeoutSeconds, slowMillis, explainOverMillis,
        out, debugPlan, logStatements, indexId, Arrays.asList(args.clone()));
  }

  /** The hierarchy size used with a source size, or 0 when it is above {@link #treeMax()}. */
  public int treeSizeFor(int size) {
    return size <= treeMax ? size : 0;
  }

  private static int positive(String value) {
    int n = Integer.parseInt(value.trim().replace("_", ""));
    if (n <= 0) {
      throw new IllegalArgumentException("expected a positive number, got " + value);
    }
    return n;
  }

  private static int nonNegative(String value) {
    int n = Integer.parseInt(value.trim().replace("_", ""));
    if (n < 0) {
      throw new IllegalArgumentException("expected a number of at least 0, got " + value);
    }
    return n;
  }

  private static <T> List<T> list(String value, Function<String, T> parser) {
    List<T> items = new ArrayList<>();
    for (String part : value.split(",")) {
      if (!part.isBlank()) {
        items.add(parser.apply(part.trim().toLowerCase(Locale.ROOT)));
      }
    }
    if (items.isEmpty()) {
      throw new IllegalArgumentException("empty list: " + value);
    }
    return List.copyOf(items);
  }
}
