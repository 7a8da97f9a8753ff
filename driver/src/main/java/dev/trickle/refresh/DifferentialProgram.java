package dev.trickle.refresh;

import java.sql.SQLException;
import java.util.Set;

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
   * @param owner sends every statement, as the stream table's owner (one round trip per batch)
   * @param changedSources oids of the sources whose delta tables hold rows (the engine counted them)
   * @param temps the session's work tables, for the program's temporary tables
   * @param pageCosts the session's page costs: the program's statements run with {@link
   *     PageCosts#lower} in effect and {@link PageCosts#restore} after them
   */
  RefreshCounts run(
      AsOwner owner, Set<Long> changedSources, SessionTempTables temps, PageCosts pageCosts)
      throws SQLException;

  /**
   * Whether what the program maintains depends on each source only through the columns the
   * defining query names ({@link StreamTableDefinition.Source#columnsUsed}): no whole-row or
   * system-column reads. Then a source whose changes cancel on those columns counts as unchanged
   * ({@link UnreadChanges}). False unless a program says so.
   */
  default boolean readsNamedColumnsOnly() {
    return false;
  }
}
