package dev.trickle.ivm;

import java.util.List;

/**
 * How concurrent maintenances of one stream table can run side by side: each changes only the rows
 * of the groups listed in {@code groupsTable} (one row per changed group, filled by the plan's
 * refresh before any state or stream table row is read or written), and nothing else the plan reads
 * depends on other writers' changes. A maintenance that locks these groups right after the table is
 * filled, and holds them to the end of its transaction, therefore computes exactly what it would
 * compute alone; writers of other groups need not wait for it.
 *
 * <p>Only a plan whose delta reads nothing but the statement's own changes (one source, read once,
 * without derived inputs or subqueries) and whose stream table rows are matched by the group key
 * offers it (see {@link MaintenancePlan#groupLocking}).
 *
 * @param groupsTable the work table holding the changed groups, filled by a step of the refresh
 * @param keyColumns its columns that hold the group key
 */
public record GroupLocking(String groupsTable, List<String> keyColumns) {
  public GroupLocking {
    keyColumns = List.copyOf(keyColumns);
  }
}
