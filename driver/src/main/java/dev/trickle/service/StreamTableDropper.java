package dev.trickle.service;

import dev.trickle.capture.ChangeCapture;
import dev.trickle.catalog.Dependency;
import dev.trickle.catalog.DependencyCatalog;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.SqlState;
import dev.trickle.catalog.StreamTable;
import dev.trickle.catalog.StreamTableCatalog;
import dev.trickle.refresh.SessionTempTables;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Drops stream tables: the compiler's auxiliary objects, this session's work tables of the stream
 * table ({@link SessionTempTables#dropOf}), the storage table, the catalog rows
 * (dependencies, frontiers and history go with them), the capture of sources no other stream
 * table reads, and the owner's refresh executor when the owner has no stream table left. Refuses with 2BP01 ("dependent objects still exist", as PostgreSQL's own DROP does)
 * while other stream tables read it, unless cascade, which drops them first.
 */
final class StreamTableDropper {
  private StreamTableDropper() {}

  /** Drops {@code st}; with {@code cascade} the stream tables reading it first. */
  static void drop(Connection c, StreamTable st, boolean cascade) throws SQLException {
    List<StreamTable> readers = DependencyCatalog.readersOf(c, st.relid());
    if (!readers.isEmpty() && !cascade) {
      throw SqlState.DEPENDENT_OBJECTS.exception(
          "cannot drop stream table "
              + st.displayName()
              + " because other stream tables read it: "
              + readers.stream().map(StreamTable::displayName).collect(Collectors.joining(", "))
              + "; drop them first or use cascade => true (DROP STREAM TABLE ... CASCADE)");
    }
    for (StreamTable reader : readers) {
      if (StreamTableCatalog.findById(c, reader.pgtId()).isPresent()) {
        drop(c, reader, true);
      }
    }
    List<Dependency> sources = DependencyCatalog.of(c, st.pgtId());
    MaintenanceSetup.tearDown(c, st);
    SessionTempTables.dropOf(c, st.pgtId());
    if (ChangeCapture.isInstalled(c, st.relid())) {
      ChangeCapture.remove(c, st.relid());
    }
    if (Relation.find(c, st.relid()).isPresent()) {
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE " + Relation.find(c, st.relid()).orElseThrow().qualifiedName());
      }
    }
    StreamTableCatalog.delete(c, st.pgtId());
    SourceCapture.removeUnneeded(c, sources);
    try (Statement s = c.createStatement()) {
      // The owner's refresh executor goes with the owner's last stream table (catalog V19).
      s.execute("SELECT pgtrickle.forget_owner_executors()");
    }
  }
}
