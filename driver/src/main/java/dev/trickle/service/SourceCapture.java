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
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Installs and removes the change capture of stream tables' sources. A relation is captured while
 * a stream table that consumes change buffers reads it ({@link
 * DependencyCatalog#isCapturedSourceInUse}): an IMMEDIATE stream table is maintained by its own
 * triggers inside each writing transaction and never reads a buffer, so a relation only IMMEDIATE
 * stream tables read has no capture triggers and no buffer, and its writes pay for neither.
 */
final class SourceCapture {
  private SourceCapture() {}

  /**
   * Brings the capture of {@code relations} in line with the catalog, which must already hold the
   * changed stream table's dependencies and requested mode: installs it (or brings it up to date)
   * where a reader needs it, removes it where none does. A new capture is installed under the
   * locks of its triggers, which wait for the source's writers and hold off new ones until commit,
   * so the population or frontier the command takes next sees every change before it, and the
   * buffer every change after it.
   *
   * <p>Refuses (0A000) to install new capture inside a caller's REPEATABLE READ or SERIALIZABLE
   * transaction: its snapshot may predate writes that commit before the capture triggers exist,
   * and those would be in neither the content nor the change buffer.
   *
   * @param relations the relations the stream table reads
   * @param update bring installed capture up to date too (its function, and triggers on partitions
   *     attached since), as a new or changed query does; a mode switch only installs what is missing
   */
  static void reconcile(
      Connection c, List<Dependency> relations, String streamTable, boolean update)
      throws SQLException {
    Set<Long> seen = new HashSet<>();
    for (Dependency source : relations) {
      if (!source.kind().captured() || !seen.add(source.sourceRelid())) {
        continue;
      }
      if (!DependencyCatalog.isCapturedSourceInUse(c, source.sourceRelid())) {
        removeIfInstalled(c, source.sourceRelid());
        continue;
      }
      Optional<Relation> relation = Relation.find(c, source.sourceRelid());
      if (relation.isEmpty()) {
        // Dropped, and still recorded for another reader: that one's next refresh names it.
        continue;
      }
      boolean installed = ChangeCapture.isInstalled(c, source.sourceRelid());
      if (installed && !update) {
        continue;
      }
      if (!installed && c.getTransactionIsolation() != Connection.TRANSACTION_READ_COMMITTED) {
        throw SqlState.UNSUPPORTED.exception(
            "stream table "
                + streamTable
                + " needs change capture on "
                + source.displayName()
                + ", which cannot be installed safely inside a REPEATABLE READ or SERIALIZABLE"
                + " transaction; run this command in autocommit or in a READ COMMITTED"
                + " transaction");
      }
      ChangeCapture.ensure(c, relation.get());
    }
  }

  /**
   * Removes the capture of those of {@code relations} that no stream table consuming change
   * buffers reads any more (a dropped stream table's sources, or those a changed query no longer
   * reads).
   */
  static void removeUnneeded(Connection c, List<Dependency> relations) throws SQLException {
    for (Dependency source : relations) {
      if (source.kind().captured()
          && !DependencyCatalog.isCapturedSourceInUse(c, source.sourceRelid())) {
        removeIfInstalled(c, source.sourceRelid());
      }
    }
  }

  private static void removeIfInstalled(Connection c, long relid) throws SQLException {
    if (ChangeCapture.isInstalled(c, relid)) {
      ChangeCapture.remove(c, relid);
    }
  }

  /** Warns about every source table of the stream table without a primary key. */
  static void warnWithoutPrimaryKey(Connection c, List<Dependency> sources, String streamTable)
      throws SQLException {
    for (Dependency source : sources) {
      if (!source.kind().captured() || source.kind() == SourceKind.STREAM_TABLE) {
        continue;
      }
      Relation relation = Relation.find(c, source.sourceRelid()).orElseThrow();
      if (!relation.hasPrimaryKey()) {
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
}
