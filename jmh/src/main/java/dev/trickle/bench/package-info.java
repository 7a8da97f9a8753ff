/**
 * The refresh benchmark: builds source tables of several sizes in one embedded PostgreSQL, keeps a
 * DIFFERENTIAL stream table, a FULL stream table and a materialized view of the same query, applies
 * changes of several sizes and times the three refreshes side by side. {@link
 * dev.trickle.bench.RefreshBenchmark} is the entry point; it writes {@code docs/benchmarks/refresh.md}
 * and a chart.
 */
package dev.trickle.bench;
