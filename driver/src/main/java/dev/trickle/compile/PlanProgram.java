package dev.trickle.compile;

import dev.trickle.ivm.MaintenancePlan;
import dev.trickle.ivm.Step;
import dev.trickle.refresh.DifferentialProgram;
import dev.trickle.refresh.RefreshCounts;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;

/**
 * Runs a compiled {@link MaintenancePlan} as one refresh: the plan's steps for exactly the sources
 * that changed (fixpoint loops included), adding up the rows written to the storage.
 */
final class PlanProgram implements DifferentialProgram {
  private final MaintenancePlan plan;

  PlanProgram(MaintenancePlan plan) {
    this.plan = plan;
  }

  @Override
  public RefreshCounts run(Connection c, Set<Long> changedSources) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      long[] counts = new long[2];
      run(st, plan.refresh(changedSources), counts);
      return new RefreshCounts(counts[0], counts[1]);
    }
  }

  private static void run(Statement st, List<Step> steps, long[] counts) throws SQLException {
    for (Step step : steps) {
      if (step.isLoop()) {
        int iterations = 0;
        do {
          run(st, step.body(), counts);
          if (++iterations >= Step.MAX_ITERATIONS) {
            throw new SQLException(
                "recursive maintenance did not reach a fixpoint after " + iterations
                    + " iterations; the recursive query may not terminate on this data",
                "54000");
          }
        } while (condition(st, step.sql()));
        continue;
      }
      st.execute(step.sql());
      long count = Math.max(0, st.getLargeUpdateCount());
      switch (step.counts()) {
        case INSERTED -> counts[0] += count;
        case DELETED -> counts[1] += count;
        case NONE -> { }
      }
    }
  }

  private static boolean condition(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      return rs.next() && rs.getBoolean(1);
    }
  }
}
