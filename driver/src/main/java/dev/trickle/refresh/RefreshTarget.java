package dev.trickle.refresh;

import dev.trickle.catalog.Relation;
import dev.trickle.catalog.StreamTable;
import dev.trickle.catalog.StreamTableCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a refresh starts from: the stream table's catalog row and its storage table as they were
 * read just before. Read with two queries of a {@link StatementBatch}, so a caller can send them
 * with its own reads (a manual refresh resolves the name, checks the catalog version and reads
 * its settings in the same round trip). The refresh reads both again under its locks.
 *
 * @param streamTable the catalog row
 * @param storage the storage table, empty when it was dropped directly
 */
public record RefreshTarget(StreamTable streamTable, Optional<Relation> storage) {
  /**
   * Adds the reads of the stream table whose id {@code pgtIdSql} yields (a literal or a scalar
   * subquery such as {@link StreamTableCatalog#idByNameSql}) to {@code batch}; {@code found}
   * receives empty when there is no such stream table.
   */
  public static void load(
      StatementBatch batch, String pgtIdSql, Consumer<Optional<RefreshTarget>> found) {
    List<List<StreamTable>> rows = new ArrayList<>(1);
    batch.add(
        StreamTableCatalog.findByIdQuery(pgtIdSql), rs -> rows.add(StreamTableCatalog.read(rs)));
    StorageRelation.loadOfStreamTable(
        batch,
        pgtIdSql,
        storage ->
            found.accept(
                rows.get(0).stream()
                    .findFirst()
                    .map(st -> new RefreshTarget(st, storage.map(StorageRelation::relation)))));
  }
}
