/**
 * The TPC-H workload: schema with primary keys and foreign-key indexes ({@link
 * dev.trickle.tpch.TpchSchema}), data from the {@code io.trino.tpch} generator loaded through COPY
 * ({@link dev.trickle.tpch.TpchLoader}), the 22 queries with the specification's validation
 * parameters ({@link dev.trickle.tpch.TpchQuery}) and seeded change cycles built from the refresh
 * functions ({@link dev.trickle.tpch.ChangeCycles}).
 *
 * <p>It talks to PostgreSQL through plain JDBC and PgJDBC's COPY API only and knows nothing of the
 * driver, so the driver's TPC-H oracle test (test scope) and the TPC-H benchmark in {@code jmh}
 * (compile scope) share it without a dependency cycle.
 */
package dev.trickle.tpch;
