package dev.trickle.compile;

import dev.trickle.ivm.MaintenancePlan;
import dev.trickle.ivm.Step;
import dev.trickle.refresh.AsOwner;
import dev.trickle.refresh.DifferentialProgram;
import dev.trickle.refresh.RefreshCounts;
import dev.trickle.refresh.SessionTempTables;
import dev.trickle.refresh.StatementBatch;
import dev.trickle.sql.Sql;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a compiled {@link MaintenancePlan} as one refresh: the plan's steps for exactly the sources
 * that changed (fixpoint loops included), adding up the rows written to the storage. Consecutive
 * statements go to the server as one {@link StatementBatch}, a fixpoint loop among them as one
 * {@code DO} block; temporary tables are the session's reusable work tables.
 */
final class PlanProgram implements DifferentialProgram {
  private static final AtomicLong VERSIONS = new AtomicLong();

  private final MaintenancePlan plan;
  /** Names this compilation in work-table shape keys: a recompilation may change column types. */
  private final String version = "plan " + VERSIONS.incrementAndGet();
  /**
   * The plan's steps by set of changed sources, printed once: a plan is immutable, and printing
   * its SQL costs more than some small refreshes spend on the server.
   */
  private final Map<Set<Long>, List<Step>> steps = new ConcurrentHashMap<>();

  private final Map<Step, String> shapes = new ConcurrentHashMap<>();

  PlanProgram(MaintenancePlan plan) {
    this.plan = plan;
  }

  @Override
  public RefreshCounts run(AsOwner owner, Set<Long> changedSources, SessionTempTables temps)
      throws SQLException {
    BatchedRun run = new BatchedRun(owner, new StatementBatch().plannedOncePerSession(), temps);
    run.run(stepsFor(changedSources));
    run.flush();
    return new RefreshCounts(run.inserted, run.deleted);
  }

  private List<Step> stepsFor(Set<Long> changedSources) {
    return steps.computeIfAbsent(
        Set.copyOf(changedSources), changed -> ownWorkTables(plan.refresh(changed), steps.size()));
  }

  /**
   * The steps with the work tables they fill renamed for program variant {@code variant} (the
   * first keeps the plan's names): the programs for different sets of changed sources fill the
   * same work tables with different queries, and a session work table is kept only for one query,
   * so a stream table whose changed sources alternate would drop and create them at every switch.
   * The sources' delta tables are filled by the engine, not by programs, and keep their names.
   */
  private static List<Step> ownWorkTables(List<Step> program, int variant) {
    if (variant == 0) {
      return program;
    }
    Map<String, String> renamed = new HashMap<>();
    collectFilled(program, variant, renamed);
    return renamed.isEmpty() ? program : rename(program, renamed);
  }

  private static void collectFilled(List<Step> program, int variant, Map<String, String> renamed) {
    for (Step step : program) {
      if (step.isLoop()) {
        collectFilled(step.body(), variant, renamed);
      } else if (step.isFill()) {
        String table = step.fills();
        renamed.putIfAbsent(table, table.substring(0, table.length() - 1) + "_v" + variant + "\"");
      }
    }
  }

  private static List<Step> rename(List<Step> program, Map<String, String> renamed) {
    List<Step> result = new ArrayList<>(program.size());
    for (Step step : program) {
      String sql = step.sql();
      for (Map.Entry<String, String> e : renamed.entrySet()) {
        sql = sql.replace(e.getKey(), e.getValue());
      }
      result.add(
          new Step(
              sql,
              step.counts(),
              rename(step.body(), renamed),
              step.isFill() ? renamed.getOrDefault(step.fills(), step.fills()) : null));
    }
    return result;
  }

  private static boolean serverSide(Step loop) {
    return loop.body().stream().allMatch(b -> !b.isLoop() && b.counts() == Step.Counts.NONE);
  }

  /**
   * The work-table shape key of a fill: this compilation and the fill's query. Kept per step, so
   * the check and the fill of every refresh do not build it again from the query's text.
   */
  private String shapeOf(Step fill) {
    return shapes.computeIfAbsent(fill, f -> version + "\n" + f.sql());
  }

  private static String notTerminating(int iterations) {
    return "recursive maintenance did not reach a fixpoint after " + iterations
        + " iterations; the recursive query may not terminate on this data";
  }

  /**
   * Batches statements, sends them as the stream table's owner, and adds up their counts.
   */
  private final class BatchedRun {
    private final AsOwner owner;
    private final SessionTempTables temps;
    private final StatementBatch batch;
    private final Map<Integer, Step.Counts> counted = new HashMap<>();
    private long inserted;
    private long deleted;

    BatchedRun(AsOwner owner, StatementBatch batch, SessionTempTables temps) {
      this.owner = owner;
      this.batch = batch;
      this.temps = temps;
    }

    void run(List<Step> steps) throws SQLException {
      for (Step step : steps) {
        if (step.isLoop()) {
          loop(step);
        } else if (step.isFill()) {
          for (String sql : temps.fill(step.fills(), shapeOf(step), step.sql())) {
            add(sql, Step.Counts.NONE);
          }
        } else {
          add(step.sql(), step.counts());
        }
      }
    }

    private void loop(Step step) throws SQLException {
      if (serverSide(step)) {
        add(serverSideLoop(step), Step.Counts.NONE);
        return;
      }
      int iterations = 0;
      boolean again;
      do {
        run(step.body());
        batch.addQuery(step.sql());
        List<String> condition = flush();
        again = !condition.isEmpty() && "t".equals(condition.get(0));
        if (++iterations >= Step.MAX_ITERATIONS && again) {
          throw new SQLException(notTerminating(iterations), "54000");
        }
      } while (again);
    }

    /**
     * The loop as one {@code DO} block, so a fixpoint costs one statement in the batch instead of a
     * round trip per iteration. The body is printed twice: the first iteration may create the
     * session's work tables, the others refill them. Static statements keep their plans across
     * iterations; {@code use_column} keeps a user column from being read as the block's counter.
     */
    private String serverSideLoop(Step step) {
      StringBuilder block = new StringBuilder();
      block.append("#variable_conflict use_column\nDECLARE __pgt_iterations int := 1;\nBEGIN\n");
      appendBody(block, step.body(), "  ");
      block.append("  WHILE (").append(step.sql()).append(") LOOP\n");
      block.append("    IF __pgt_iterations >= ").append(Step.MAX_ITERATIONS).append(" THEN\n");
      block.append("      RAISE EXCEPTION USING ERRCODE = '54000', MESSAGE = ")
          .append(Sql.literal(notTerminating(Step.MAX_ITERATIONS))).append(";\n");
      block.append("    END IF;\n");
      appendBody(block, step.body(), "    ");
      block.append("    __pgt_iterations := __pgt_iterations + 1;\n");
      block.append("  END LOOP;\nEND\n");
      return "DO " + Sql.dollarQuoted("\n" + block);
    }

    private void appendBody(StringBuilder block, List<Step> body, String indent) {
      for (Step step : body) {
        List<String> statements =
            step.isFill()
                ? temps.fill(step.fills(), shapeOf(step), step.sql())
                : List.of(step.sql());
        for (String sql : statements) {
          block.append(indent).append(sql).append(";\n");
        }
      }
    }

    private void add(String sql, Step.Counts counts) {
      int index = batch.add(sql);
      if (counts != Step.Counts.NONE) {
        counted.put(index, counts);
      }
    }

    /** Runs what is batched; returns the last statement's first row when it is a query. */
    List<String> flush() throws SQLException {
      StatementBatch.Result result = owner.run(batch);
      tally(result);
      return result.lastRow();
    }

    /** Adds up the counts of the counted statements of a run of the batch. */
    void tally(StatementBatch.Result result) {
      counted.forEach(
          (index, kind) -> {
            if (kind == Step.Counts.INSERTED) {
              inserted += result.count(index);
            } else {
              deleted += result.count(index);
            }
          });
      counted.clear();
    }
  }
}
