package dev.trickle.compile;

import dev.trickle.ivm.MaintenancePlan;
import dev.trickle.ivm.Sql;
import dev.trickle.ivm.Step;
import dev.trickle.refresh.DifferentialProgram;
import dev.trickle.refresh.RefreshCounts;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs a compiled {@link MaintenancePlan} as one refresh: finds which sources' delta tables hold
 * rows, runs the plan's steps for exactly those (fixpoint loops included), and adds up the rows
 * written to the storage.
 */
final class PlanProgram implements DifferentialProgram {
  private final MaintenancePlan plan;

  PlanProgram(MaintenancePlan plan) {
    this.plan = plan;
  }

  @Override
  public RefreshCounts run(Connection c) throws SQLException {
    Set<Long> changed = new HashSet<>();
    try (Statement st = c.createStatement()) {
      st.setEscapeProcessing(false);
      for (long oid : plan.sourceOids()) {
        try (ResultSet rs =
            st.executeQuery("SELECT EXISTS (SELECT 1 FROM " + Sql.deltaTable(oid) + ")")) {
          if (rs.next() && rs.getBoolean(1)) {
            changed.add(oid);
          }
        }
      }
      long[] counts = new long[2];
      run(st, plan.refresh(changed), counts);
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
