package dev.trickle.refresh;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Applies one refresh's changes to a stream table incrementally. The engine calls it inside the
 * refresh transaction after it has:
 *
 * <ul>
 *   <li>set {@code search_path} to the stream table's and {@code pgtrickle.maintenance} to {@code
 *       on} (so the storage's guard trigger lets the writes through),
 *   <li>created, for every captured source, the temporary table named by {@link
 *       StreamTableDefinition.Source#deltaTable()} with that source's buffer columns plus {@code
 *       __pgt_w int} (+1 inserted image, -1 deleted image): the source's changes between the old
 *       and the new frontier, empty when it did not change,
 *   <li>made sure no source was truncated in between (then it runs FULL instead).
 * </ul>
 *
 * The sources read directly show their state at the new frontier. The program writes only the
 * storage table and the objects its setup statements created, and reports what it wrote.
 */
@FunctionalInterface
public interface DifferentialProgram {
  /**
   * Applies the deltas and returns the rows inserted into and deleted from the storage table.
   *
   * @param changedSources oids of the sources whose delta tables hold rows (the engine counted them)
   * @param temps the session's work tables, for the program's temporary tables
   */
  RefreshCounts run(Connection c, Set<Long> changedSources, SessionTempTables temps)
      throws SQLException;

  /**
   * The program for {@code changedSources} as statements for a caller's batch, so it can go to the
   * server in the round trip of the delta fill, before the engine has seen the fill's counts (the
   * engine runs it under a savepoint and rolls it back when it decides otherwise). Empty when it
   * cannot run that way: a loop that needs a round trip per iteration, a work table it would have
   * to create, truncate or analyze first, or user SQL with {@code ?} or <code>{</code> (the batch
   * runs as prepared text with bound values).
   */
  default Optional<BatchedProgram> inBatch(Set<Long> changedSources, SessionTempTables temps) {
    return Optional.empty();
  }

  /** A program ready to be added to a caller's {@link StatementBatch}. */
  @FunctionalInterface
  interface BatchedProgram {
    /**
     * Adds the program's statements to {@code batch}; the returned function reads the rows it
     * inserted into and deleted from the storage table from the batch's result.
     */
    Function<StatementBatch.Result, RefreshCounts> appendTo(StatementBatch batch);
  }
}
