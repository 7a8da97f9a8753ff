package dev.trickle.compile;

import dev.trickle.ivm.LoopLimit;
import dev.trickle.ivm.MaintenancePlan;
import dev.trickle.ivm.Step;
import dev.trickle.ivm.StepPrinter;
import dev.trickle.refresh.AsOwner;
import dev.trickle.refresh.DifferentialProgram;
import dev.trickle.refresh.PageCosts;
import dev.trickle.refresh.RefreshCounts;
import dev.trickle.refresh.SessionTempTables;
import dev.trickle.refresh.StatementBatch;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Runs a compiled {@link MaintenancePlan} as one refresh: the plan's steps for exactly the sources
 * that changed (fixpoint loops included), adding up the rows written to the storage. Consecutive
 * statements go to the server as one {@link StatementBatch}, printed by the plan's {@link
 * StepPrinter} (a fixpoint loop among them as one {@code DO} block, a loop with counted statements
 * as a round trip per iteration under the same {@link LoopLimit}); temporary tables are the
 * session's reusable work tables. The statements run with the lowered page cost of {@link
 * PageCosts}, set in the first batch and restored in the last.
 */
final class PlanProgram implements DifferentialProgram {
  private static final AtomicLong VERSIONS = new AtomicLong();

  private final MaintenancePlan plan;
  private final IntFunction<MaintenancePlan> variants;
  private final StepPrinter printer;
  private final boolean namedColumnsOnly;
  /** Names this compilation in work-table shape keys: a recompilation may change column types. */
  private final String version = "plan " + VERSIONS.incrementAndGet();
  /**
   * The plan's steps by set of changed sources, printed once: a plan is immutable, and printing
   * its SQL costs more than some small refreshes spend on the server.
   */
  private final Map<Set<Long>, List<Step>> steps = new ConcurrentHashMap<>();

  private final Map<Step, String> shapes = new ConcurrentHashMap<>();

  /**
   * @param plan the compiled plan
   * @param limit the loop rule, naming the stream table
   * @param variants the plan compiled again with the work tables of program variant {@code n}
   *     named apart (see {@link #stepsFor})
   * @param namedColumnsOnly whether the defining query reads its sources only through the columns
   *     it names ({@link dev.trickle.ivm.NamedColumnReads})
   */
  PlanProgram(
      MaintenancePlan plan,
      LoopLimit limit,
      IntFunction<MaintenancePlan> variants,
      boolean namedColumnsOnly) {
    this.plan = plan;
    this.variants = variants;
    this.printer = new StepPrinter(limit);
    this.namedColumnsOnly = namedColumnsOnly;
  }

  @Override
  public boolean readsNamedColumnsOnly() {
    return namedColumnsOnly;
  }

  @Override
  public RefreshCounts run(
      AsOwner owner, Set<Long> changedSources, SessionTempTables temps, PageCosts pageCosts)
      throws SQLException {
    BatchedRun run = new BatchedRun(owner, new StatementBatch().plannedOncePerSession(), temps);
    pageCosts.lower().ifPresent(lower -> run.add(lower, Step.Counts.NONE));
    run.run(stepsFor(changedSources));
    pageCosts.restore().ifPresent(restore -> run.add(restore, Step.Counts.NONE));
    run.flush();
    return new RefreshCounts(run.inserted, run.deleted);
  }

  /**
   * The steps for one set of changed sources, each set with work tables of its own: the programs
   * for different sets fill the same work tables with different queries, and a session work table
   * is kept only for one query, so a stream table whose changed sources alternate would drop and
   * create them at every switch. The first set's program uses the plan's names; each later one
   * comes from the plan compiled again with its variant's names. The sources' delta tables are
   * filled by the engine, not by programs, and keep their names.
   */
  private List<Step> stepsFor(Set<Long> changedSources) {
    return steps.computeIfAbsent(
        Set.copyOf(changedSources),
        changed -> {
          int variant = steps.size();
          return (variant == 0 ? plan : variants.apply(variant)).refresh(changed);
        });
  }

  /**
   * The work-table shape key of a fill: this compilation and the fill's query. Kept per step, so
   * the check and the fill of every refresh do not build it again from the query's text.
   */
  private String shapeOf(Step fill) {
    return shapes.computeIfAbsent(fill, f -> version + "\n" + f.sql());
  }

  /**
   * Batches statements, sends them as the stream table's owner, and adds up their counts.
   */
  private final class BatchedRun {
    private final AsOwner owner;
    private final StatementBatch batch;
    private final StepPrinter.Fills fills;
    private final Map<Integer, Step.Counts> counted = new HashMap<>();
    private long inserted;
    private long deleted;

    BatchedRun(AsOwner owner, StatementBatch batch, SessionTempTables temps) {
      this.owner = owner;
      this.batch = batch;
      this.fills = fill -> temps.fill(fill.fills(), shapeOf(fill), fill.sql());
    }

    void run(List<Step> steps) throws SQLException {
      for (Step step : steps) {
        if (step.isLoop() && !StepPrinter.runsOnServer(step)) {
          loop(step);
        } else {
          for (StepPrinter.Statement statement : printer.statements(step, fills)) {
            add(statement.sql(), statement.counts());
          }
        }
      }
    }

    /** A loop whose body reports counts: a round trip per iteration, under the loop rule. */
    private void loop(Step step) throws SQLException {
      LoopLimit limit = printer.limit();
      int iterations = 0;
      boolean again;
      do {
        run(step.body());
        batch.addQuery(step.sql());
        List<String> condition = flush();
        again = !condition.isEmpty() && "t".equals(condition.get(0));
        iterations++;
        if (again && limit.reached(iterations)) {
          throw new SQLException(limit.message(), LoopLimit.SQLSTATE);
        }
      } while (again);
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
