/**
 * Benchmarks that write {@code docs/benchmarks/}: JMH benchmarks of what Trickle adds to an
 * application's statements (the driver's pass-through overhead against plain PgJDBC, the scanner's
 * time per statement; {@code BenchmarkReport} runs them), and the refresh benchmark ({@link
 * dev.trickle.bench.RefreshBenchmark}), which keeps a DIFFERENTIAL stream table, a FULL stream
 * table and a materialized view of the same query over generated sources and times the three
 * refreshes side by side; and {@code LatencyBenchmark}, the scheduler's change-to-visible latency.
 */
package dev.trickle.bench;
