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

  /**
   * Plain SQL rather than a server function: a refresh sends its reads as prepared statements
   * ({@link StatementBatch}), so the server keeps their plans for the session, and a plain query
   * costs less than a function call doing the same.
   */
  private static String query(String oid) {
    return "SELECT " + Relation.selectList() + ", " + columnArray("a.attname::text")
        + " AS column_names, " + columnArray("format_type(a.atttypid, a.atttypmod)")
        + " AS column_types, c.oid::bigint AS relid FROM pg_class c"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = " + oid;
  }

  /** {@code perColumn} for each column of {@code c} in order, as an array. */
  private static String columnArray(String perColumn) {
    return "ARRAY(SELECT " + perColumn + " FROM pg_attribute a WHERE a.attrelid = c.oid"
        + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)";
  }

  private static Optional<StorageRelation> read(ResultSet rs) throws SQLException {
    if (!rs.next()) {
      return Optional.empty();
    }
    Relation relation = Relation.read(rs.getLong("relid"), rs).orElseThrow();
    return Optional.of(
        new StorageRelation(
            relation, LiveSources.columns(rs.getArray("column_names"), rs.getArray("column_types"))));
  }
}
