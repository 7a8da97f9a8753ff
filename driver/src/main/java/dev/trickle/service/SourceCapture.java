package dev.trickle.service;

import dev.trickle.capture.ChangeCapture;
import dev.trickle.capture.WalCaptureRequirements;
import dev.trickle.catalog.Dependency;
import dev.trickle.catalog.DependencyCatalog;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.ServerNotices;
import dev.trickle.catalog.SourceKind;
import dev.trickle.catalog.SqlState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** Installs and removes the change capture of a stream table's sources. */
final class SourceCapture {
  private SourceCapture() {}

  /**
   * Refuses (0A000) to install new capture inside a caller's REPEATABLE READ or SERIALIZABLE
   * transaction: its snapshot may predate writes that commit before the capture triggers exist,
   * and those would be in neither the initial content nor the change buffer.
   */
  static void requireFreshSnapshotForNewCapture(
      Connection c, List<Dependency> sources, String streamTable) throws SQLException {
    if (c.getTransactionIsolation() == Connection.TRANSACTION_READ_COMMITTED) {
      return;
    }
    for (Dependency source : sources) {
      if (source.kind().captured() && !ChangeCapture.isInstalled(c, source.sourceRelid())) {
        throw SqlState.UNSUPPORTED.exception(
            "stream table "
                + streamTable
                + " needs change capture on "
                + source.displayName()
                + ", which cannot be installed safely inside a REPEATABLE READ or SERIALIZABLE"
                + " transaction; run this command in autocommit or in a READ COMMITTED"
                + " transaction");
      }
    }
  }

  /**
   * Installs (or brings up to date) the capture of every captured source. Warns when a table has
   * no primary key.
   */
  static void install(Connection c, List<Dependency> sources, String streamTable)
      throws SQLException {
    for (Dependency source : sources) {
      if (!source.kind().captured()) {
        continue;
      }
      Relation relation = Relation.find(c, source.sourceRelid()).orElseThrow();
      ChangeCapture.ensure(c, relation);
      if (source.kind() != SourceKind.STREAM_TABLE && !relation.hasPrimaryKey()) {
        ServerNotices.warning(
            c,
            "source table "
                + relation.displayName()
                + " of stream table "
                + streamTable
                + " has no primary key: changes are captured as whole rows (duplicates"
                + " included) and matched by all their columns; add a primary key if the table"
                + " has one");
      }
    }
  }

  /**
   * Refuses (0A000) cdc_mode 'wal' where logical decoding or a source lacks what WAL capture needs,
   * naming all of it; the scheduler's leader moves the sources to the WAL at its next check.
   */
  static void requireWalCapturePossible(
      Connection c, long pgtId, String cdcMode, String streamTable) throws SQLException {
    if (!cdcMode.equals("wal")) {
      return;
    }
    List<String> missing = WalCaptureRequirements.missingFor(c, pgtId);
    if (!missing.isEmpty()) {
      throw SqlState.UNSUPPORTED.exception(
          "cdc_mode 'wal' for stream table "
              + streamTable
              + " needs logical decoding, and "
              + String.join("; ", missing)
              + "; use cdc_mode 'trigger', or 'auto' (triggers until WAL capture is possible)");
    }
  }

  /** Removes the capture of those sources no stream table reads any more. */
  static void removeUnused(Connection c, List<Dependency> formerSources) throws SQLException {
    for (Dependency source : formerSources) {
      if (source.kind().captured()
          && !DependencyCatalog.isCapturedSourceInUse(c, source.sourceRelid())) {
        ChangeCapture.remove(c, source.sourceRelid());
      }
    }
  }
}
