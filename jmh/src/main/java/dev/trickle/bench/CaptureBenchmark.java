package dev.trickle.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What change capture costs the writes to a source: pgbench-shaped tables on an embedded PostgreSQL
 * ({@link PgbenchRig}), one copy of the accounts table per {@link CaptureContender}, each measured
 * in every round (single-row statements alternating between the contenders' tables one by one, bulk
 * updates and TPS windows in an order rotating from round to round, so a burst of other work on a
 * shared machine does not fall on one contender only), and the medians over the rounds compared
 * with the bare table's in one report ({@link CaptureReport}).
 *
 * <p>Run from the repository root: {@code mvn -B -pl jmh -am -DskipTests -Pcapture-benchmark
 * package [-Dexec.args="--scale 2 --rounds 3 --ops 1000 --clients 8 --seconds 10 --durable false
 * --samples 50 --out docs/benchmarks/capture.md"]}. The server runs with {@code wal_level =
 * logical} for the WAL contender ({@link CaptureWal}); each round also measures the
 * change-to-visible latency of trigger and WAL capture ({@code --samples} per round). {@code
 * --durable true} runs the server with PostgreSQL's own
 * durability settings (every commit waits for its WAL flush), where what serializes commits (a
 * notification's queue lock) shows in the TPS.
 */
public final class CaptureBenchmark {
  private CaptureBenchmark() {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    List<CaptureContender> all = List.of(CaptureContender.values());
    try (PgbenchRig rig = PgbenchRig.start(
        o.durable(), true, o.scale(), all.stream().map(CaptureContender::table).toList())) {
      String plain = rig.plainUrl();
      Connection trickle = rig.trickle();
      Connection superuser = rig.superuser();
      Connection owner = rig.owner();
      Map<CaptureContender, Results> results = new EnumMap<>(CaptureContender.class);
      CaptureWal wal = null;
      try {
        wal = CaptureWal.start(superuser, rig.port());
        for (CaptureContender contender : all) {
          contender.prepare(trickle);
          results.put(contender, new Results());
        }
        CaptureWal.awaitMoved(owner);
        CaptureWorkload workload = new CaptureWorkload(plain, o.scale(), 42);
        List<CaptureContender> order = new ArrayList<>(all);
        for (int round = 0; round < o.rounds(); round++) {
          System.out.println("round " + (round + 1) + ": single rows");
          CaptureWorkload.settle(superuser, all);
          long[][][] single =
              workload.singleRows(order.stream().map(CaptureContender::table).toList(), o.ops());
          for (int k = 0; k < order.size(); k++) {
            results.get(order.get(k)).addSingleRows(single[k]);
          }
          consumeAll(trickle, all);
          for (CaptureContender contender : order) {
            System.out.println("round " + (round + 1) + ": bulk and TPS, " + contender.label);
            Results r = results.get(contender);
            CaptureWorkload.settle(superuser, all);
            r.bulk.add(workload.bulkUpdate(contender.table(), round) / 1e6);
            contender.consume(trickle);
            CaptureWorkload.settle(superuser, all);
            r.tps.add(workload.tps(contender.table(), o.clients(), o.seconds()));
            contender.consume(trickle);
          }
          int rows = o.scale() * CaptureWorkload.ACCOUNTS_PER_SCALE;
          for (CaptureContender c : List.of(CaptureContender.TRIGGER, CaptureContender.WAL)) {
            System.out.println("round " + (round + 1) + ": change to visible, " + c.label);
            results.get(c).visible.add(
                CaptureWorkload.medianMs(
                    CaptureWal.visibleLatency(owner, trickle, c, o.samples(), rows)));
          }
          order.add(order.remove(0));
        }
      } finally {
        if (wal != null) {
          wal.close();
        }
      }
      PgbenchRig.write(o.out(), CaptureReport.render(o, rig.machine(), rig.load(), results));
    }
  }

  private static void consumeAll(Connection trickle, List<CaptureContender> contenders)
      throws java.sql.SQLException {
    for (CaptureContender contender : contenders) {
      contender.consume(trickle);
    }
  }

  /** The measurements of one contender, one value per round. */
  static final class Results extends WriteCosts {
    /** Median change-to-visible latency per round, ms (trigger and WAL capture only). */
    final List<Double> visible = new ArrayList<>();
  }

  /** The command line. */
  record Options(
      int scale, int rounds, int ops, int clients, int seconds, boolean durable, int samples,
      Path out) {
    static Options parse(String[] args) {
      Options o = new Options(
          NamedArgs.intArg(args, "--scale", 2),
          NamedArgs.intArg(args, "--rounds", 3),
          NamedArgs.intArg(args, "--ops", 1000),
          NamedArgs.intArg(args, "--clients", 8),
          NamedArgs.intArg(args, "--seconds", 10),
          Boolean.parseBoolean(NamedArgs.stringArg(args, "--durable", "false")),
          NamedArgs.intArg(args, "--samples", 50),
          Path.of(NamedArgs.stringArg(args, "--out", "docs/benchmarks/capture.md")));
      if (o.scale < 1 || o.rounds < 1 || o.ops < 1 || o.clients < 1 || o.seconds < 1
          || o.samples < 1) {
        throw new IllegalArgumentException("every option must be at least 1");
      }
      return o;
    }
  }
}
