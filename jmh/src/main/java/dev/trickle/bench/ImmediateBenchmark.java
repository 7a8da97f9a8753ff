package dev.trickle.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What IMMEDIATE maintenance costs the writes to a source, against the same writes without a stream
 * table, in one run: pgbench-shaped tables on an embedded PostgreSQL ({@link PgbenchRig}), one copy
 * of the accounts table per {@link ImmediateContender}, each measured in every round (single-row
 * statements alternating between the contenders' tables one by one, bulk updates and TPS windows in
 * an order rotating from round to round), then the concurrency run of {@link
 * ImmediateWorkload#orders} without and with an IMMEDIATE aggregate. The report ({@link
 * ImmediateReport}) gives medians over the rounds and their ratios to bare.
 *
 * <p>Run from the repository root: {@code mvn -B -pl jmh -am -DskipTests -Pimmediate-benchmark
 * package [-Dexec.args="--scale 2 --rounds 3 --ops 1000 --clients 8 --seconds 10 --warmup 40 --writers 8
 * --writer-seconds 60 --soak-seconds 0 --out docs/benchmarks/immediate.md"]}; {@code --soak-seconds}
 * above 0 adds a writers' run of that length with the IMMEDIATE aggregate (the deadlock soak).
 */
public final class ImmediateBenchmark {
  private ImmediateBenchmark() {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    List<ImmediateContender> all = List.of(ImmediateContender.values());
    try (PgbenchRig rig = PgbenchRig.start(
        false, false, o.scale(), all.stream().map(ImmediateContender::table).toList())) {
      String plain = rig.plainUrl();
      Connection trickle = rig.trickle();
      Connection superuser = rig.superuser();
      Connection owner = rig.owner();
      Map<ImmediateContender, Results> results = new EnumMap<>(ImmediateContender.class);
      List<ImmediateWorkload.WritersResult> writers = new ArrayList<>();
      for (ImmediateContender contender : all) {
        contender.prepare(trickle);
        results.put(contender, new Results());
      }
      CaptureWorkload workload = new CaptureWorkload(plain, o.scale(), 42);
      List<ImmediateContender> order = new ArrayList<>(all);
      for (int round = 0; round < o.rounds(); round++) {
        System.out.println("round " + (round + 1) + ": single rows");
        ImmediateWorkload.settle(superuser);
        long[][][] single =
            workload.singleRows(order.stream().map(ImmediateContender::table).toList(), o.ops());
        for (int k = 0; k < order.size(); k++) {
          results.get(order.get(k)).addSingleRows(single[k]);
        }
        for (ImmediateContender contender : order) {
          System.out.println("round " + (round + 1) + ": bulk and TPS, " + contender.label);
          Results r = results.get(contender);
          ImmediateWorkload.settle(superuser);
          r.bulk.add(workload.bulkUpdate(contender.table(), round) / 1e6);
          ImmediateWorkload.settle(superuser);
          r.tps.add(workload.tps(contender.table(), o.clients(), o.seconds(), o.warmup()));
        }
        order.add(order.remove(0));
      }
      for (ImmediateContender contender : all) {
        if (contender.query() != null) {
          results.get(contender).mismatchedRows =
              ImmediateWorkload.mismatchedRows(owner, contender.streamTable(), contender.query());
        }
      }
      writers.add(writersRun(
          plain, trickle, owner, superuser, o.writers(), o.writerSeconds(), "bare", false));
      writers.add(writersRun(
          plain, trickle, owner, superuser, o.writers(), o.writerSeconds(), "immediate", true));
      if (o.soakSeconds() > 0) {
        writers.add(writersRun(
            plain, trickle, owner, superuser, o.writers(), o.soakSeconds(), "soak", true));
      }
      PgbenchRig.write(o.out(), ImmediateReport.withHandWritten(
          o.out(), ImmediateReport.render(o, rig.machine(), rig.load(), results, writers)));
    }
  }

  /**
   * A writers' run of {@code writers} connections for {@code seconds} on a fresh orders table
   * {@code "orders_" + name}, with or without its IMMEDIATE aggregate.
   */
  private static ImmediateWorkload.WritersResult writersRun(
      String plain, Connection trickle, Connection owner, Connection superuser, int writers,
      int seconds, String name, boolean immediate) throws Exception {
    String table = "orders_" + name;
    String query = "SELECT status, count(*) AS n, sum(amount) AS total FROM " + table
        + " GROUP BY status";
    ImmediateWorkload.createOrders(owner, table);
    String streamTable = null;
    if (immediate) {
      streamTable = table + "_by_status";
      try (Statement st = trickle.createStatement()) {
        st.execute("SELECT pgtrickle.create_stream_table('" + streamTable + "', $q$" + query
            + "$q$, refresh_mode => 'IMMEDIATE')");
      }
    }
    ImmediateWorkload.settle(superuser);
    System.out.println("writers, " + name + ", " + seconds + " s");
    return ImmediateWorkload.orders(
        plain, owner, table, streamTable, query, writers, seconds, 11);
  }

  /** The measurements of one contender, one value per round. */
  static final class Results extends WriteCosts {
    /** Rows in which the stream table differed from its query after the rounds. */
    long mismatchedRows;
  }

  /** The command line. */
  record Options(
      int scale, int rounds, int ops, int clients, int seconds, int warmup, int writers,
      int writerSeconds, int soakSeconds, Path out) {
    static Options parse(String[] args) {
      Options o = new Options(
          NamedArgs.intArg(args, "--scale", 2),
          NamedArgs.intArg(args, "--rounds", 3),
          NamedArgs.intArg(args, "--ops", 1000),
          NamedArgs.intArg(args, "--clients", 8),
          NamedArgs.intArg(args, "--seconds", 10),
          NamedArgs.intArg(args, "--warmup", 40),
          NamedArgs.intArg(args, "--writers", 8),
          NamedArgs.intArg(args, "--writer-seconds", 60),
          NamedArgs.intArg(args, "--soak-seconds", 0),
          Path.of(NamedArgs.stringArg(args, "--out", "docs/benchmarks/immediate.md")));
      if (o.scale < 1 || o.rounds < 1 || o.ops < 1 || o.clients < 1 || o.seconds < 1
          || o.warmup < 0 || o.writers < 1 || o.writerSeconds < 1 || o.soakSeconds < 0) {
        throw new IllegalArgumentException(
            "every option but --warmup and --soak-seconds (0 or more) must be at least 1");
      }
      return o;
    }
  }
}
