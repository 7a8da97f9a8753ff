package dev.trickle.refresh;

import dev.trickle.catalog.Column;
import dev.trickle.catalog.SourceKind;
import dev.trickle.sql.Sql;
import dev.trickle.sql.ValueIdentity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Changes that only touch columns the defining query never reads: an update of a comment is a
 * deleted and an inserted image equal on every column the query reads. A source whose whole
 * change batch cancels on those columns counts as unchanged for the refresh, so no delta term is
 * planned or run for it (TPC-H's change cycles update the comments of nation and region, which
 * more than doubled the terms of Q7 and Q8). Its delta table is emptied in the fill's batch; its
 * frontier advances as every source's does, and its buffer rows are cleaned up as consumed ones.
 *
 * <p>Exact because the query's result depends on a source only through the multiset of the
 * columns it reads, when the program says so ({@link DifferentialProgram#readsNamedColumnsOnly}:
 * no whole-row or system-column reads). The rows are grouped by those columns, told apart as the
 * fill's netting does ({@link ValueIdentity}), and their weights summed: the batch cancels when
 * no group's sum is other than zero. Not used when a source is a view (the columns of the
 * relations under it are the view's business) or reads all of a source's columns.
 */
final class UnreadChanges {
  private UnreadChanges() {}

  /**
   * The captured sources of {@code definition} whose unchanged reads can be checked, with the
   * columns the query reads from each (typed as in the delta table); none when a source is a view.
   */
  static Map<Long, List<Column>> checkable(StreamTableDefinition definition) {
    Map<Long, List<Column>> checkable = new HashMap<>();
    if (definition.sources().stream().anyMatch(s -> s.kind() == SourceKind.VIEW)) {
      return checkable;
    }
    for (StreamTableDefinition.Source source : definition.capturedSources()) {
      List<Column> read = new ArrayList<>();
      for (String name : source.columnsUsed()) {
        source.columns().stream().filter(c -> c.name().equals(name)).findFirst().ifPresent(read::add);
      }
      if (read.size() == source.columnsUsed().size() && read.size() < source.columns().size()) {
        checkable.put(source.relid(), List.copyOf(read));
      }
    }
    return checkable;
  }

  /**
   * The statement that empties {@code deltaTable} when its rows cancel on the {@code read}
   * columns; its row count is the rows it removed (all of them, or none).
   */
  static String emptyIfCancelled(String deltaTable, List<Column> read) {
    List<String> groups = new ArrayList<>();
    for (Column column : read) {
      groups.add(ValueIdentity.groupKey("d." + Sql.identifier(column.name()), column.type()));
    }
    return "DELETE FROM " + deltaTable + " WHERE NOT EXISTS (SELECT FROM " + deltaTable + " AS d"
        + (groups.isEmpty() ? "" : " GROUP BY " + String.join(", ", groups))
        + " HAVING sum(d.\"__pgt_w\") <> 0)";
  }
}
