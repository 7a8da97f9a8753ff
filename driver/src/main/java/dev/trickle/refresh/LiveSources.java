package dev.trickle.refresh;

import dev.trickle.capture.ChangeBuffer;
import dev.trickle.catalog.Column;
import dev.trickle.catalog.Dependency;
import dev.trickle.catalog.DependencyCatalog;
import dev.trickle.catalog.Relation;
import dev.trickle.catalog.SourceKind;
import dev.trickle.catalog.StreamTableCatalog;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The relations a stream table reads, as its catalog records them and as they are now, read with
 * one query: a refresh needs to know that each still exists under its recorded name, which ones
 * are captured, and their columns now (the delta tables of captured sources have them, and the
 * columns the query reads must still be there with their recorded types, {@link SourceDrift}), and
 * asking per source would cost a round trip each.
 */
final class LiveSources {
  /**
   * One source.
   *
   * @param dependency the catalog's record of it
   * @param relation the relation now, empty when it was dropped
   * @param columns the relation's columns now (for a captured source without Trickle's reserved
   *     {@code __pgt_} ones)
   * @param typedColumns by column name, the change buffer's column holding its values with its type
   *     now, where the buffer has one
   */
  record Source(
      Dependency dependency,
      Optional<Relation> relation,
      List<Column> columns,
      Map<String, String> typedColumns) {
    /** As the delta compiler sees it. */
    StreamTableDefinition.Source definition() {
      return new StreamTableDefinition.Source(
          dependency.sourceRelid(),
          dependency.schema(),
          dependency.name(),
          dependency.kind(),
          dependency.columnsUsed(),
          columns,
          typedColumns);
    }
  }

  /** SQL true for a dependency {@code d} whose kind is captured. */
  private static final String CAPTURED =
      "d.source_kind IN ("
          + Arrays.stream(SourceKind.values())
              .filter(SourceKind::captured)
              .map(kind -> "'" + kind.name() + "'")
              .collect(Collectors.joining(", "))
          + ")";

  private LiveSources() {}

  /**
   * Adds the query to {@code batch}; {@code loaded} receives the sources by schema and name. Per
   * source: the catalog's record, the relation now (NULL names when dropped, {@link
   * Relation#selectList}), its columns now, the name of the typed buffer column each would have
   * ({@code __pgt_a<attnum>_t<type oid>}) and the typed columns the buffer has. The column arrays
   * come from one lateral subquery scanning the attributes of the source and of its buffer at
   * once: the server initializes every subquery of a statement on every run, so each further one
   * would cost every refresh, and the batch is planned on every run, so a join would too.
   */
  static void load(StatementBatch batch, long pgtId, Consumer<List<Source>> loaded) {
    batch.add(
        "SELECT d.source_relid, d.source_schema, d.source_name, d.source_kind, d.columns_used, "
            + Relation.selectList()
            + ", cols.names, cols.types, cols.expected, cols.stored, d.column_types"
            + " FROM pgtrickle.pgt_dependencies d"
            + " LEFT JOIN pg_class c ON c.oid = d.source_relid"
            + " LEFT JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " LEFT JOIN LATERAL (SELECT"
            + " array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attrelid = c.oid)"
            + " AS names,"
            + " array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)"
            + " FILTER (WHERE a.attrelid = c.oid) AS types,"
            + " array_agg(" + ChangeBuffer.typedColumnName("a") + " ORDER BY a.attnum)"
            + " FILTER (WHERE a.attrelid = c.oid) AS expected,"
            + " array_agg(a.attname::text) FILTER (WHERE a.attrelid <> c.oid) AS stored"
            + " FROM pg_attribute a WHERE a.attrelid IN (c.oid, to_regclass('"
            + ChangeBuffer.SCHEMA + ".changes_' || c.oid)) AND a.attnum > 0"
            + " AND NOT a.attisdropped"
            + " AND (CASE WHEN a.attrelid = c.oid THEN NOT " + CAPTURED
            + " OR a.attname NOT LIKE '\\_\\_pgt\\_%' ELSE a.attname LIKE '\\_\\_pgt\\_a%' END))"
            + " AS cols ON true"
            + " WHERE d.pgt_id = "
            + pgtId
            + " ORDER BY d.source_schema, d.source_name",
        rs -> loaded.accept(read(rs)));
  }

  private static List<Source> read(ResultSet rs) throws SQLException {
    List<Source> sources = new ArrayList<>();
    while (rs.next()) {
      Dependency dependency = DependencyCatalog.read(rs);
      List<Column> columns = columns(rs.getArray("names"), rs.getArray("types"));
      List<String> expected = StreamTableCatalog.textArray(rs.getArray("expected"));
      Set<String> stored = Set.copyOf(StreamTableCatalog.textArray(rs.getArray("stored")));
      Map<String, String> typedColumns = new HashMap<>();
      for (int i = 0; i < expected.size(); i++) {
        if (stored.contains(expected.get(i))) {
          typedColumns.put(columns.get(i).name(), expected.get(i));
        }
      }
      sources.add(
          new Source(
              dependency, Relation.read(dependency.sourceRelid(), rs), columns, typedColumns));
    }
    return sources;
  }

  /** Columns from parallel arrays of names and {@code format_type} texts. */
  static List<Column> columns(Array names, Array types) throws SQLException {
    List<String> n = StreamTableCatalog.textArray(names);
    List<String> t = StreamTableCatalog.textArray(types);
    List<Column> columns = new ArrayList<>(n.size());
    for (int i = 0; i < n.size(); i++) {
      columns.add(new Column(n.get(i), t.get(i)));
    }
    return columns;
  }

}
