package dev.trickle.ivm;

import dev.trickle.rewriter.parse.CatalogLookup;
import dev.trickle.rewriter.parse.Relation;
import dev.trickle.rewriter.parse.RelationColumn;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A small fixed catalog for compiling queries without a database. */
final class FakeCatalog implements CatalogLookup {
  private static final Map<String, Relation> RELATIONS =
      Map.of(
          "dept",
          new Relation(101, "public", "dept", Relation.Kind.TABLE,
              List.of(col("id", "integer", true), col("name", "text", false), col("region", "text", false)),
              List.of("id"), null),
          "emp",
          new Relation(102, "public", "emp", Relation.Kind.TABLE,
              List.of(col("id", "integer", true), col("dept_id", "integer", false),
                  col("salary", "numeric(10,2)", false), col("tag", "text", false)),
              List.of("id"), null),
          "edges",
          new Relation(103, "public", "edges", Relation.Kind.TABLE,
              List.of(col("src", "integer", false), col("dst", "integer", false)), List.of(), null),
          "departments",
          new Relation(104, "public", "departments", Relation.Kind.TABLE,
              List.of(col("id", "integer", true), col("name", "text", true), col("parent_id", "integer", false)),
              List.of("id"), null));

  private static final Set<String> AGGREGATES =
      Set.of("count", "sum", "avg", "min", "max", "string_agg", "array_agg", "bool_and", "stddev");

  private static RelationColumn col(String name, String type, boolean notNull) {
    return new RelationColumn(name, type, notNull);
  }

  @Override
  public Optional<Relation> resolve(String schema, String name) {
    return Optional.ofNullable(RELATIONS.get(name));
  }

  @Override
  public boolean isAggregate(String functionName) {
    return AGGREGATES.contains(functionName);
  }

  @Override
  public boolean isVolatile(String functionName) {
    return functionName.equals("random") || functionName.equals("clock_timestamp");
  }
}
