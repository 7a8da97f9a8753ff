package dev.trickle.service;

import dev.trickle.refresh.Compilation;
import dev.trickle.refresh.MaintenanceCompiler;
import dev.trickle.refresh.RefreshCounts;
import dev.trickle.refresh.StatementBatch;
import dev.trickle.refresh.StreamTableDefinition;
import dev.trickle.sql.Sql;
import java.sql.Connection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A test compiler for queries of the form {@code SELECT * FROM one_table}: applies each delta row
 * to the storage as a signed multiset (exercises the seam the real compiler plugs into). Its setup
 * creates {@code <name>_state}, which its populate statements fill with the row count and its
 * teardown drops. Other queries are FULL only.
 */
final class IdentityCompiler implements MaintenanceCompiler {
  @Override
  public Compilation compile(Connection c, StreamTableDefinition def) {
    List<StreamTableDefinition.Source> sources = def.capturedSources();
    if (sources.size() != 1 || !sources.get(0).columns().equals(def.columns())) {
      return new Compilation.FullOnly("query shape", 1, "only SELECT * FROM t is supported here");
    }
    StreamTableDefinition.Source source = sources.get(0);
    String target = def.qualifiedName();
    String delta = source.deltaTable();
    String columns =
        def.columns().stream().map(col -> Sql.identifier(col.name()))
            .collect(Collectors.joining(", "));
    String state = Sql.qualified(def.schema(), def.name() + "_state");
    String tupleOfDelta = "ROW(" + columns + ")::text";
    List<String> populate =
        List.of("DELETE FROM " + state, "INSERT INTO " + state + " SELECT count(*) FROM " + target);
    return new Compilation.Differential(
        (owner, changed, temps, pageCosts) -> {
          StatementBatch batch = new StatementBatch();
          int deleted =
              batch.add(
                  "DELETE FROM " + target + " __pgt_t USING (SELECT o.rid FROM (SELECT"
                      + " __pgt_x.ctid AS rid, __pgt_x::text AS k, row_number() OVER"
                      + " (PARTITION BY __pgt_x::text) AS rn FROM " + target + " __pgt_x) o JOIN (SELECT " + tupleOfDelta + " AS k,"
                      + " -sum(\"__pgt_w\") AS n FROM " + delta + " GROUP BY 1"
                      + " HAVING sum(\"__pgt_w\") < 0) d ON d.k = o.k WHERE o.rn <= d.n) gone"
                      + " WHERE __pgt_t.ctid = gone.rid");
          int inserted =
              batch.add(
                  "INSERT INTO " + target + " SELECT " + columns + " FROM (SELECT " + columns
                      + ", sum(\"__pgt_w\") AS n FROM " + delta + " GROUP BY " + columns
                      + " HAVING sum(\"__pgt_w\") > 0) d, generate_series(1, d.n)");
          populate.forEach(batch::add);
          StatementBatch.Result result = owner.run(batch);
          return new RefreshCounts(result.count(inserted), result.count(deleted));
        },
        List.of("CREATE TABLE " + state + " (n bigint)"),
        populate,
        List.of("DROP TABLE " + state));
  }

}
