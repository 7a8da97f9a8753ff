package dev.trickle.refresh;

import dev.trickle.catalog.Column;
import dev.trickle.catalog.SourceKind;
import dev.trickle.catalog.StreamTable;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a {@link MaintenanceCompiler} needs to know about a stream table: its storage table,
 * defining query, output columns and sources.
 *
 * @param pgtId the catalog id
 * @param relid the storage table's oid
 * @param schema the storage table's schema
 * @param name the storage table's name
 * @param query the defining query
 * @param searchPath the {@code search_path} the query's names are resolved with (the engine sets
 *     it before it runs a program)
 * @param columns the storage table's columns: exactly the query's output columns
 * @param sources every relation the query reads (views and their base relations)
 * @param version the definition version (bumped by alter), a cache key
 */
public record StreamTableDefinition(
    long pgtId,
    long relid,
    String schema,
    String name,
    String query,
    String searchPath,
    List<Column> columns,
    List<Source> sources,
    int version) {
  public StreamTableDefinition {
    columns = List.copyOf(columns);
    sources = List.copyOf(sources);
  }

  /**
   * One relation the query reads.
   *
   * @param relid its oid
   * @param schema its schema
   * @param name its name
   * @param kind its kind; only {@link SourceKind#captured()} kinds have a change buffer and a
   *     delta table
   * @param columnsUsed the columns the query reads
   * @param columns for captured sources the change buffer's (and delta table's) columns, else the
   *     relation's columns
   * @param typedColumns for captured sources, by column name, the buffer column that holds the
   *     column's values with its type now ({@code dev.trickle.capture.ChangeBuffer}); a column
   *     without one is read from the row images only
   */
  public record Source(
      long relid,
      String schema,
      String name,
      SourceKind kind,
      List<String> columnsUsed,
      List<Column> columns,
      Map<String, String> typedColumns) {
    public Source {
      columnsUsed = List.copyOf(columnsUsed);
      columns = List.copyOf(columns);
      typedColumns = Map.copyOf(typedColumns);
    }

    /** {@code "schema"."name"}. */
    public String qualifiedName() {
      return Sql.qualified(schema, name);
    }

    /** The temporary delta table of a captured source: {@code pg_temp."__pgt_delta_<oid>"}. */
    public String deltaTable() {
      return DeltaTables.qualifiedName(relid);
    }
  }

  /** {@code "schema"."name"} of the storage table. */
  public String qualifiedName() {
    return Sql.qualified(schema, name);
  }

  /** The captured sources: those with a change buffer and a delta table. */
  public List<Source> capturedSources() {
    return sources.stream().filter(s -> s.kind().captured()).toList();
  }

  /**
   * Builds the definition of a cataloged stream table from the catalog and the live relations, in
   * one round trip.
   */
  public static StreamTableDefinition load(Connection c, StreamTable st) throws SQLException {
    StatementBatch batch = new StatementBatch();
    List<List<LiveSources.Source>> sources = new ArrayList<>(1);
    List<Optional<StorageRelation>> storage = new ArrayList<>(1);
    LiveSources.load(batch, st.pgtId(), sources::add);
    StorageRelation.load(batch, st.relid(), storage::add);
    batch.run(c);
    return of(
        st,
        storage.get(0).orElseThrow(() -> RefreshFailures.storageMissing(st)),
        sources.get(0));
  }

  /** The definition from what a refresh read about the storage table and the sources. */
  static StreamTableDefinition of(
      StreamTable st, StorageRelation storage, List<LiveSources.Source> sources) {
    return new StreamTableDefinition(
        st.pgtId(),
        st.relid(),
        storage.relation().schema(),
        storage.relation().name(),
        st.spec().query(),
        st.spec().searchPath(),
        storage.columns(),
        sources.stream().map(LiveSources.Source::definition).toList(),
        st.spec().version());
  }
}
