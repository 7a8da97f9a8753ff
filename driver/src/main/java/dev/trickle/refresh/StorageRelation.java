package dev.trickle.refresh;

import dev.trickle.catalog.Column;
import dev.trickle.catalog.Relation;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A stream table's storage table as it is now: the relation and its columns, read with one query
 * that a refresh sends in a batch with its other reads.
 *
 * @param relation the relation
 * @param columns its columns in order
 */
record StorageRelation(Relation relation, List<Column> columns) {
  StorageRelation {
    columns = List.copyOf(columns);
  }

  /** Adds the query to {@code batch}; {@code found} receives the table, empty when it was dropped. */
  static void load(StatementBatch batch, long relid, Consumer<Optional<StorageRelation>> found) {
    load(batch, relid + "::oid", found);
  }

  /**
   * Like {@link #load(StatementBatch, long, Consumer)}, for the storage table the catalog records
   * for the stream table whose id {@code pgtIdSql} yields (empty also when there is no such stream
   * table).
   */
  static void loadOfStreamTable(
      StatementBatch batch, String pgtIdSql, Consumer<Optional<StorageRelation>> found) {
    load(
        batch,
        "(SELECT pgt_relid FROM pgtrickle.pgt_stream_tables WHERE pgt_id = " + pgtIdSql + ")",
        found);
  }

  private static void load(
      StatementBatch batch, String oid, Consumer<Optional<StorageRelation>> found) {
    batch.add(query(oid), rs -> found.accept(read(rs)));
  }

  private static String query(String oid) {
    return "SELECT " + RelationShape.selectList() + ", c.oid::bigint FROM pg_class c"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = " + oid;
  }

  private static Optional<StorageRelation> read(ResultSet rs) throws SQLException {
    if (!rs.next()) {
      return Optional.empty();
    }
    Relation relation =
        new Relation(
            rs.getLong(9),
            rs.getString(1),
            rs.getString(2),
            rs.getString(3).charAt(0),
            rs.getBoolean(4),
            rs.getBoolean(5),
            rs.getBoolean(6));
    return Optional.of(
        new StorageRelation(relation, LiveSources.columns(rs.getArray(7), rs.getArray(8))));
  }
}
